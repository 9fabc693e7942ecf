import { afterEach, describe, expect, it } from 'vitest';
import type { LogFormat, LogLevel } from '../../src/server/log-options.js';
import { prettyLogLine } from '../../src/server/log-pretty.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

/** A fixture whose log lines land in an array; a route that fails the way a bug would. */
async function loggedFixture(level: LogLevel, format: LogFormat, faultMessage = 'disk on fire') {
  const lines: string[] = [];
  const fixture = await createFixture({
    logging: {
      level,
      format,
      destination: { write: (text: string) => lines.push(...text.split(/\n(?=.)/)) },
    },
  });
  // A test-only route, kept out of /openapi.json.
  fixture.app.get('/api/v1/organizations/:org/fault', { schema: { hide: true } }, async () => {
    throw new Error(faultMessage);
  });
  return { fixture, lines };
}

describe('the operator log', () => {
  let fixture: Fixture | undefined;
  afterEach(async () => {
    await fixture?.close();
    fixture = undefined;
  });

  it('logs an unexpected error at the default level as one JSON line with its request id', async () => {
    const logged = await loggedFixture('warn', 'json');
    fixture = logged.fixture;
    const healthy = await fixture.request({ method: 'GET', url: '/healthz' });
    expect(healthy.statusCode).toBe(200);
    expect(logged.lines).toEqual([]);

    const failed = await fixture.request({ method: 'GET', url: '/api/v1/organizations/default/fault' });
    expect(failed.statusCode).toBe(500);
    expect(failed.body).not.toContain('disk on fire');
    expect(logged.lines).toHaveLength(1);
    const record = JSON.parse(logged.lines[0] as string);
    expect(record).toMatchObject({ level: 50, reqId: expect.stringMatching(/^req-/), msg: 'disk on fire' });
    expect(record.err.stack).toContain('Error: disk on fire');
  });

  it('writes one access line per request at info, with the path and not the query', async () => {
    const logged = await loggedFixture('info', 'json');
    fixture = logged.fixture;
    await fixture.request({ method: 'GET', url: '/api/v1/organizations/default/audit-logs?q=alice' });
    const accessLines = () =>
      logged.lines.map((line) => JSON.parse(line)).filter((r) => r.msg === 'request completed');
    // The line is written once the response hooks are done, which may be after the answer (the
    // access-record hook reads the organization's setting from the database).
    for (let wait = 0; wait < 100 && accessLines().length === 0; wait++) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    const access = accessLines();
    expect(access).toEqual([
      expect.objectContaining({
        level: 30,
        reqId: expect.stringMatching(/^req-/),
        method: 'GET',
        path: '/api/v1/organizations/default/audit-logs',
        statusCode: 200,
      }),
    ]);
    expect(logged.lines.join('\n')).not.toContain('alice');
  });

  for (const format of ['json', 'pretty'] as const) {
    it(`never writes a token into a ${format} line, even at trace`, async () => {
      const other = await createFixture(); // a well-formed token this database does not know
      const owner = other.tokens.owner;
      await other.close();
      const logged = await loggedFixture('trace', format, `token ${owner} rejected`);
      fixture = logged.fixture;
      const tokens = [fixture.tokens.owner, fixture.tokens.ingest, owner, `${owner.slice(0, 20)}`];
      await fixture.request({
        method: 'GET',
        url: `/api/v1/organizations/default/audit-logs?token=${owner}`,
      });
      await fixture.request({ method: 'GET', url: `/api/v1/organizations/${owner}/audit-logs` });
      await fixture.request({ method: 'GET', url: '/api/v1/me', token: owner });
      await fixture.request({ method: 'GET', url: '/api/v1/me', token: tokens[3] });
      await fixture.request({
        method: 'GET',
        url: '/api/v1/me',
        headers: { cookie: `session=${owner}`, 'proxy-authorization': `Bearer ${owner}` },
      });
      await fixture.request({ method: 'GET', url: '/api/v1/organizations/default/fault' });
      await fixture.request({
        method: 'GET',
        url: '/api/v1/organizations/default/fault',
        token: fixture.tokens.ingest,
      });
      const all = logged.lines.join('\n');
      expect(all).toContain('request completed');
      expect(all).toMatch(format === 'json' ? /"level":50/ : /ERROR/);
      for (const token of tokens) expect(all).not.toContain(token);
      expect(all).not.toMatch(/adt_[0-9A-Za-z]/);
    });
  }

  it('renders a record for a person: time, level, request id, message, fields, stack; control characters escaped', () => {
    const line = prettyLogLine({
      level: 50,
      time: Date.UTC(2026, 0, 2, 3, 4, 5, 6),
      pid: 1,
      hostname: 'h',
      reqId: 'req-7',
      msg: 'bad \u001b]52;c;ZWNobyBoaQ==\u0007 thing',
      path: '/x\u202e',
      err: { type: 'Error', message: 'bad', stack: 'Error: bad\n    at f (file.js:1:1)' },
    });
    expect(line.split('\n')).toEqual([
      '2026-01-02T03:04:05.006Z ERROR [req-7] bad \\u001b]52;c;ZWNobyBoaQ==\\u0007 thing path=/x\\u202e',
      '    Error: bad',
      '        at f (file.js:1:1)',
    ]);
  });
});
