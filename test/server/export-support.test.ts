import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const LOGS = '/api/v1/organizations/default/audit-logs';
const EXPORTS = '/api/v1/organizations/default/exports';

describe('what exports need from the API', () => {
  let clock = Date.parse('2024-05-01T10:00:00Z');
  let fixture: Fixture;
  beforeEach(async () => {
    clock = Date.parse('2024-05-01T10:00:00Z');
    fixture = await createFixture({ now: () => clock });
  });
  afterEach(() => fixture.close());

  it('received_before pins the result to what the server had received at that instant', async () => {
    await fixture.ingest([{ action: 'review.completed', timestamp: '2024-04-01T00:00:00Z' }]);
    const pinned = new Date(clock + 1).toISOString();
    clock += 60_000;
    // Arrives during the export, with a timestamp inside the exported range:
    await fixture.ingest([{ action: 'review.completed', timestamp: '2024-04-02T00:00:00Z' }]);
    const answer = await fixture.request({
      method: 'GET',
      url: `${LOGS}?action=review.completed&received_before=${encodeURIComponent(pinned)}`,
    });
    expect(answer.json().data.map((event: AuditEvent) => event.timestamp)).toEqual([
      '2024-04-01T00:00:00.000Z',
    ]);
    const bad = await fixture.request({ method: 'GET', url: `${LOGS}?received_before=soon` });
    expect(bad.statusCode).toBe(400);
    expect(bad.json().param).toBe('received_before');
  });

  it('records a reported export as one audit.exported event with the caller as actor', async () => {
    const response = await fixture.request({
      method: 'POST',
      url: EXPORTS,
      token: fixture.tokens.member,
      payload: {
        kind: 'export',
        format: 'csv',
        count: 1234,
        filters: { category: 'auth', from: '2024-01-01' },
      },
    });
    expect(response.statusCode).toBe(201);
    const event = response.json().data;
    expect(event).toMatchObject({
      action: 'audit.exported',
      category: 'audit',
      actor: { email: 'mia@example.com', type: 'user' },
      metadata: {
        kind: 'export',
        format: 'csv',
        count: 1234,
        filters: { category: 'auth', from: '2024-01-01' },
      },
    });
    expect(event.description).toContain('1234 events');
    const ingestOnly = await fixture.request({
      method: 'POST',
      url: EXPORTS,
      token: fixture.tokens.ingest,
      payload: { kind: 'export', format: 'csv', count: 1 },
    });
    expect(ingestOnly.statusCode).toBe(403);
    const bad = await fixture.request({
      method: 'POST',
      url: EXPORTS,
      payload: { kind: 'party', format: 'x', count: -1 },
    });
    expect(bad.statusCode).toBe(400);
  });
});
