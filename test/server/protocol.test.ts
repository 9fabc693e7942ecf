import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const URL = '/api/v1/organizations/default/audit-logs';

describe('protocol: health, OpenAPI, rate limits, busy database, unknown routes', () => {
  let fixture: Fixture;
  afterEach(() => fixture.close());

  it('answers /healthz without a token and /openapi.json with every route of the SPEC', async () => {
    fixture = await createFixture();
    const health = await fixture.app.inject({ method: 'GET', url: '/healthz' });
    expect(health.json()).toEqual({ status: 'ok' });
    const openapi = (await fixture.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    expect(openapi.openapi).toMatch(/^3\./);
    expect(Object.keys(openapi.paths)).toEqual(
      expect.arrayContaining([
        '/api/v1/organizations/{org}/audit-logs',
        '/api/organization/audit-logs',
        '/api/v1/organizations/{org}/audit-logs/{id}',
        '/api/v1/organizations/{org}/audit-logs/stream',
        '/api/v1/me',
        '/healthz',
      ]),
    );
    const list = openapi.paths['/api/v1/organizations/{org}/audit-logs'];
    expect(list.get.parameters.map((parameter: { name: string }) => parameter.name)).toEqual(
      expect.arrayContaining([
        'category',
        'action',
        'actor',
        'q',
        'from',
        'to',
        'since',
        'cursor',
        'after',
        'per_page',
      ]),
    );
    expect(list.post.requestBody).toBeDefined();
    expect(openapi.components.schemas.AuditEvent.properties).toHaveProperty('actor');
  });

  it('sends RateLimit headers on every answer and 429 with Retry-After past the limit', async () => {
    fixture = await createFixture({ rateLimitPerMinute: 3 });
    const statuses: number[] = [];
    for (let i = 0; i < 4; i++) {
      const response = await fixture.request({ method: 'GET', url: URL });
      statuses.push(response.statusCode);
      expect(response.headers['ratelimit-limit']).toBe('3');
      expect(Number(response.headers['ratelimit-reset'])).toBeGreaterThan(0);
      if (response.statusCode === 429) {
        expect(Number(response.headers['retry-after'])).toBeGreaterThan(0);
        expect(response.json().status).toBe(429);
      }
    }
    expect(statuses).toEqual([200, 200, 200, 429]);
    // The limit is per token: another token is unaffected.
    expect((await fixture.request({ method: 'GET', url: URL, token: fixture.tokens.admin })).statusCode).toBe(
      200,
    );
  });

  it('answers 503 with Retry-After, not 500, while another writer holds the database', async () => {
    fixture = await createFixture();
    fixture.db.pragma('busy_timeout = 50');
    const other = new Database(fixture.dbFile);
    other.exec('BEGIN IMMEDIATE');
    try {
      const response = await fixture.request({ method: 'POST', url: URL, payload: { action: 'user.login' } });
      expect(response.statusCode).toBe(503);
      expect(response.headers['retry-after']).toBe('1');
      expect(response.json().status).toBe(503);
    } finally {
      other.exec('ROLLBACK');
      other.close();
    }
    const retried = await fixture.request({ method: 'POST', url: URL, payload: { action: 'user.login' } });
    expect(retried.statusCode).toBe(201);
  });

  it('answers unknown routes and methods with a 404 problem', async () => {
    fixture = await createFixture();
    const response = await fixture.request({ method: 'GET', url: '/api/v2/nothing' });
    expect(response.statusCode).toBe(404);
    expect(response.headers['content-type']).toContain('application/problem+json');
    const deleteEvent = await fixture.request({
      method: 'DELETE',
      url: `${URL}/log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E`,
    });
    expect(deleteEvent.statusCode).toBe(404);
  });
});
