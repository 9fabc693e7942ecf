import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import type { Finding, ReviewResult } from '../../src/domain/review.js';
import { INCIDENT_IP } from '../../src/server/demo/cast.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { tempDir } from '../helpers/temp-dir.js';

/** The demo database's incident, found by the review as the issue asks: one high finding linking it all. */
describe('security review of the demo database', () => {
  let server: RunningServer;
  let token: string;
  const get = async (path: string) => {
    const response = await fetch(`${server.url}/api/v1/organizations/default/${path}`, {
      headers: { authorization: `Bearer ${token}` },
    });
    expect(response.status, await response.clone().text()).toBe(200);
    return (await response.json()) as { data: unknown };
  };

  beforeAll(async () => {
    server = await startServer({
      dbFile: join(tempDir('review-demo'), 'audit.db'),
      host: '127.0.0.1',
      port: 0,
      demo: true,
    });
    token = server.bootstrap?.token as string;
  });
  afterAll(async () => {
    await server?.close();
  });

  it('reports the credential-stuffing incident as a high brute_force_succeeded finding linking the failures, the sign-in, the token and the deleted tunnel', async () => {
    const review = (await get('audit-logs/review?since=7d')).data as ReviewResult;
    const incident = (await get(`audit-logs?ip=${INCIDENT_IP}&per_page=100&order=asc`)).data as AuditEvent[];
    const failures = incident.filter((event) => event.action === 'user.login_failed');
    const ofAction = (action: string) => incident.find((event) => event.action === action)?.id;
    expect(failures.length).toBeGreaterThanOrEqual(10);

    const found = review.findings.filter((finding) => finding.rule === 'brute_force_succeeded');
    expect(found).toHaveLength(1);
    const [bruteForce] = found as [Finding];
    expect(bruteForce.severity).toBe('high');
    expect(bruteForce.event_ids).toEqual(
      expect.arrayContaining([
        ...failures.map((event) => event.id),
        ofAction('user.login'),
        ofAction('security.api_token_created'),
        ofAction('tunnel.deleted'),
      ]),
    );
    expect(bruteForce.counts).toMatchObject({ failed: failures.length, succeeded: 1 });
    expect(bruteForce.counts.after).toBeGreaterThanOrEqual(2);
    expect(bruteForce.queries).toEqual([expect.objectContaining({ ip: INCIDENT_IP })]);
    // Most severe first, and the incident's burst is not reported a second time.
    expect(review.findings[0]?.severity).toBe('high');
    expect(review.findings.some((f) => f.rule === 'login_burst' && f.id.includes(INCIDENT_IP))).toBe(false);
    expect(review.counts.high).toBe(review.findings.filter((f) => f.severity === 'high').length);
  });

  it('answers a 90-day review of the demo in the same shape', async () => {
    const review = (await get('audit-logs/review?since=90d&tz=Europe/Berlin')).data as ReviewResult;
    expect(review.time_zone).toBe('Europe/Berlin');
    expect(review.findings.map((f) => f.rule)).toContain('brute_force_succeeded');
  });
});
