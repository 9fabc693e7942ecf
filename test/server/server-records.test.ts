import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { purgeExpiredEvents } from '../../src/server/retention.js';
import { createStores } from '../../src/store/stores.js';
import { adminOf, engineOf } from '../helpers/admin.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const ORG = '/api/v1/organizations/default';
const DAY_MS = 86_400_000;
/** Catalogue events the server writes as the requesting user; a product may send them too. */
const WRITTEN_AS_THE_USER = new Set(['settings.integration_updated', 'access.api_call']);

describe('every record the server writes about itself is refused from a sender', () => {
  let fixture: Fixture;
  let written: AuditEvent[];

  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 100_000 });
    const stores = createStores(fixture.db);
    await fixture.ingest([
      { action: 'user.login', actor: { email: 'gone@example.com' }, timestamp: '2020-01-01T00:00:00Z' },
    ]);
    // Each flow in which the server records something itself.
    await fixture.app.inject({
      method: 'GET',
      url: `${ORG}/audit-logs`,
      headers: { authorization: 'Bearer nope' },
    });
    await fixture.request({
      method: 'POST',
      url: `${ORG}/exports`,
      payload: { kind: 'export', format: 'csv', count: 1 },
    });
    await fixture.request({
      method: 'POST',
      url: `${ORG}/gdpr/exports`,
      payload: { user: 'gone@example.com' },
    });
    await fixture.request({
      method: 'POST',
      url: `${ORG}/gdpr/erasures`,
      payload: { user: 'gone@example.com' },
    });
    await fixture.request({
      method: 'POST',
      url: `${ORG}/webhooks`,
      payload: { url: 'https://receiver.example.com/hook', actions: ['nothing.matches'] },
    });
    const admin = adminOf(stores);
    await admin.addUser('default', { email: 'new@example.com', name: 'New', role: 'member' });
    await admin.revokeToken(
      'default',
      (await admin.createToken('default', 'new@example.com', 'read')).record.prefix,
    );
    await admin.setPlan('default', 'free');
    await purgeExpiredEvents(engineOf(stores), Date.now() + DAY_MS);
    const list = await fixture.request({
      method: 'GET',
      url: `${ORG}/audit-logs?per_page=1000&detailed=true`,
    });
    written = (list.json().data as AuditEvent[]).filter((event) => event.actor?.email !== 'gone@example.com');
  });
  afterAll(() => fixture.close());

  it('covers the flows: purge, auth failure, export, GDPR, tokens, users, plan, webhooks', () => {
    const actions = new Set(written.map((event) => event.action));
    for (const action of [
      'audit.retention_purged',
      'security.api_auth_failed',
      'audit.exported',
      'gdpr.export_requested',
      'gdpr.user_erased',
      'security.api_token_created',
      'security.api_token_revoked',
      'team.member_added',
      'settings.organization_updated',
      'settings.integration_updated',
    ])
      expect(actions, action).toContain(action);
  });

  it('answers each of them, re-sent by an ingest token without its id, with a 400', async () => {
    const refused: string[] = [];
    for (const { id: _id, ...event } of written) {
      if (WRITTEN_AS_THE_USER.has(event.action)) continue;
      const input = JSON.parse(JSON.stringify(event, (_key, value) => (value === null ? undefined : value)));
      const response = await fixture.request({
        method: 'POST',
        url: `${ORG}/audit-logs`,
        payload: input,
        token: fixture.tokens.ingest,
      });
      expect(response.statusCode, `${event.action} by ${event.actor?.id}`).toBe(400);
      refused.push(event.action);
    }
    expect(refused.length).toBeGreaterThanOrEqual(10);
  });
});
