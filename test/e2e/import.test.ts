import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { normalizeEvent } from '../../src/domain/normalize.js';
import { generateToken } from '../../src/domain/token.js';
import { newEventId } from '../../src/domain/ulid.js';
import { createEventWriter, type StreamFormat as EventFormat } from '../../src/format/event-writer.js';
import {
  cliEnv,
  fetchAllEvents,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { type ContractProxy, startContractProxy } from '../helpers/contract-proxy.js';
import { sampleEvents } from '../helpers/export-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const TOTAL = 1500;
const DAY = 86_400_000;
const out = tempDir('import');
const byId = (a: { id: string }, b: { id: string }) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0);
const sorted = <T extends { id: string }>(events: T[]) => [...events].sort(byId);

/** Events with ids, exactly as a server stores them (defaults filled, secrets redacted). */
function storedEvents(count: number): AuditEvent[] {
  const now = Date.now();
  const inputs = sampleEvents(
    count,
    new Date(now - 5 * DAY).toISOString(),
    new Date(now - DAY).toISOString(),
  );
  return inputs.map((input) => {
    const id = newEventId();
    return normalizeEvent({ ...input, id }, { receivedAt: now, newId: () => id });
  });
}

/** `events` the way `audit export` writes them, with the project's own writer. */
async function exportText(format: EventFormat, events: AuditEvent[]): Promise<string> {
  const stream = new PassThrough();
  const parts: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => parts.push(chunk));
  const writer = createEventWriter(format, stream, { zone: 'UTC' });
  for (const event of events) await writer.write(event);
  await writer.end();
  return Buffer.concat(parts).toString('utf8');
}

// The CLI talks to each server through a proxy that holds every answer to /openapi.json.
const proxies: ContractProxy[] = [];
afterAll(async () => {
  await Promise.all(proxies.map((proxy) => proxy.close()));
});

interface Fresh {
  server: SpawnedServer;
  /** The CLI's environment: through the server's contract proxy, with its token. */
  env: NodeJS.ProcessEnv;
  token: string;
  /** Every event but those the server recorded about itself on its first start. */
  all: () => Promise<AuditEvent[]>;
  /** Every event the server holds. */
  every: () => Promise<AuditEvent[]>;
}

async function freshServer(): Promise<Fresh> {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  const server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], env);
  const token = server.token as string;
  const list = () => fetchAllEvents<AuditEvent>(server.url, token, 'order=asc');
  const own = new Set((await list()).map((event) => event.id));
  const all = async () => (await list()).filter((event) => !own.has(event.id));
  const proxy = await startContractProxy(server.url);
  proxies.push(proxy);
  return { server, env: { ...env, AUDIT_SERVER: proxy.url, AUDIT_TOKEN: token }, token, all, every: list };
}

describe('audit import into a fresh server', () => {
  const events = storedEvents(TOTAL);
  const servers: SpawnedServer[] = [];
  const fresh = async () => {
    const made = await freshServer();
    servers.push(made.server);
    return made;
  };

  beforeAll(async () => {
    for (const format of ['json', 'ndjson', 'csv'] as const) {
      const text = await exportText(format, events);
      writeFileSync(join(out, `events.${format}`), text);
      writeFileSync(join(out, `events.${format}.gz`), gzipSync(text));
    }
  });
  afterAll(async () => {
    await Promise.all(servers.map((server) => server.stop()));
  });

  it.each(['json', 'ndjson', 'csv', 'json.gz', 'ndjson.gz', 'csv.gz'])(
    '%s: every event exactly as in the file; a second import stores nothing',
    async (name) => {
      const { env, all } = await fresh();
      const file = join(out, `events.${name}`);
      const first = await runCli(['import', file], { env });
      expect(first.stderr).toBe(`Imported 1,500 events from ${file}: 1,500 new, 0 already present.\n`);
      expect(first.stdout).toBe('');
      expect(first.code).toBe(0);
      expect(sorted(await all())).toEqual(sorted(events));

      const second = await runCli(['import', file], { env });
      expect(second.stderr).toBe(`Imported 1,500 events from ${file}: 0 new, 1,500 already present.\n`);
      expect(second.code).toBe(0);
      expect(await all()).toHaveLength(TOTAL);
    },
  );

  it('reads standard input, sniffing the format; --dry-run sends nothing', async () => {
    const { env, all } = await fresh();
    const ndjson = readFileSync(join(out, 'events.ndjson'), 'utf8');
    const dry = await runCli(['import', '--dry-run', '-'], { env, input: ndjson });
    expect(dry.stderr).toBe('Read 1,500 events from standard input; nothing was sent (--dry-run).\n');
    expect(dry.code).toBe(0);
    expect(await all()).toHaveLength(0);
    const piped = await runCli(['import', '-'], { env, input: ndjson });
    expect(piped.stderr).toBe('Imported 1,500 events from standard input: 1,500 new, 0 already present.\n');
    expect(sorted(await all())).toEqual(sorted(events));
  });

  it('events without an id: imported, and the report says they cannot be deduplicated', async () => {
    const { env, all } = await fresh();
    const file = join(out, 'no-ids.ndjson');
    writeFileSync(
      file,
      '{"action":"user.login"}\n{"action":"user.logout","actor":{"id":"u1","name":null}}\n',
    );
    const result = await runCli(['import', file], { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toBe(
      `Imported 2 events from ${file}: 2 new, 0 already present. 2 events had no id: they cannot be ` +
        'deduplicated, so importing this file again would store them again.\n',
    );
    expect((await all()).map((event) => event.action).sort()).toEqual(['user.login', 'user.logout']);
  });

  it.each(['ndjson', 'json', 'csv'] as const)(
    '%s with a malformed line: exit 2 naming it, the batches before it imported',
    async (format) => {
      const { env, all } = await fresh();
      // The export of the first 1,233 events, a line that is not an event, then the other events'
      // lines (CSV records may span lines: the bad line's number is counted, not assumed).
      const head = (await exportText(format, events.slice(0, 1233))).replace(/\n\]\n$/, ',\n');
      const badLine = head.split('\n').length;
      const bad = { csv: ','.repeat(17), json: '{"actor": {"id": "user_x"}},', ndjson: '{"actor": {}}' }[
        format
      ];
      const skip = format === 'ndjson' ? 0 : 1; // the `[` or the CSV header
      const rest = (await exportText(format, events.slice(1233))).split('\n').slice(skip).join('\n');
      const file = join(out, `malformed.${format}`);
      writeFileSync(file, `${head}${bad}\n${rest}`);
      const result = await runCli(['import', file], { env });
      expect(result.code).toBe(2);
      expect(result.stderr.split('\n')).toHaveLength(2);
      expect(result.stderr).toMatch(
        new RegExp(`^audit: line ${badLine}: not an event \\(.+\\); 1,000 events before it were imported`),
      );
      expect(await all()).toHaveLength(1000);
    },
  );

  it('a missing file exits 2 with one line; a rejected token exits 4', async () => {
    const { env, all } = await fresh();
    const missing = join(out, 'missing.json');
    const result = await runCli(['import', missing], { env });
    expect(result).toEqual({ code: 2, stdout: '', stderr: `audit: cannot read ${missing}: no such file\n` });
    const denied = await runCli(['import', join(out, 'events.ndjson')], {
      env: { ...env, AUDIT_TOKEN: generateToken() },
    });
    expect(denied.code).toBe(4);
    expect(denied.stderr).toMatch(/^audit: 401 .*run audit login; nothing was imported\.\n$/);
    // The server records the rejected token, and nothing else.
    const ids = new Set(events.map((event) => event.id));
    expect((await all()).filter((event) => ids.has(event.id))).toHaveLength(0);
  });
});

describe('audit logs --all -o json of one server imported into another', () => {
  let source: Fresh;
  let target: Fresh;

  beforeAll(async () => {
    [source, target] = await Promise.all([freshServer(), freshServer()]);
    const now = Date.now();
    const inputs = sampleEvents(TOTAL, new Date(now - 3 * DAY).toISOString(), new Date(now).toISOString());
    await ingestEvents(source.server.url, source.token, inputs);
  });
  afterAll(async () => {
    await Promise.all([source?.server.stop(), target?.server.stop()]);
  });

  it('reproduces the events: same ids, same content', async () => {
    const listed = await runCli(['logs', '--all', '-o', 'json'], { env: source.env });
    expect(listed.code).toBe(0);
    const file = join(out, 'logs-all.json');
    writeFileSync(file, listed.stdout);
    // The source's own first-start events are in the file, but they are the server's own records
    // (its actor): the target refuses to be told them, so the import leaves them out and says so.
    const every = await source.every();
    expect(every.length).toBe(TOTAL + 2);
    const expected = every.filter((event) => event.actor?.id !== 'system');
    expect(expected.length).toBe(TOTAL);

    const result = await runCli(['import', file], { env: target.env });
    expect(result.stderr).toBe(
      `Imported 1,500 events from ${file}: 1,500 new, 0 already present. 2 records of the server's own ` +
        '(such as audit.retention_purged) were left out: a server writes those only about itself.\n',
    );
    expect(result.code).toBe(0);
    // Same ids, same content; the order of events with equal timestamps follows ingest order.
    expect(sorted(await target.all())).toEqual(sorted(expected));
  });
});

describe('audit export as CSV, then audit import of that file into another server', () => {
  let source: Fresh;
  let target: Fresh;
  // Values a spreadsheet-safe CSV changes: OWASP triggers, and text that already begins with '.
  const VALUES = ["'=not a formula", '=1+1', "''=x", "'", "'plain", '@home', '-1', '\ttab', "''"];

  beforeAll(async () => {
    [source, target] = await Promise.all([freshServer(), freshServer()]);
    await ingestEvents(
      source.server.url,
      source.token,
      VALUES.map((value, index) => ({
        action: 'settings.quote_test',
        timestamp: new Date(Date.now() - 60_000 + index).toISOString(),
        description: value,
        actor: { id: `user_${index}`, name: value, type: 'user' },
        target: { type: 'note', name: value },
        context: { team_name: value },
        metadata: { note: value },
      })),
    );
  });
  afterAll(async () => {
    await Promise.all([source?.server.stop(), target?.server.stop()]);
  });

  it("restores every value exactly, '=not a formula included", async () => {
    const today = new Date().toISOString().slice(0, 10);
    const file = join(out, 'quotes.csv');
    const exported = await runCli(
      ['export', '--utc', '--from', today, '--to', today, '--action', 'settings.quote_test', '-o', file],
      { env: source.env },
    );
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toContain("'=1+1");

    const imported = await runCli(['import', file], { env: target.env });
    expect(imported.code, imported.stderr).toBe(0);
    const quoted = (events: AuditEvent[]) =>
      sorted(events.filter((event) => event.action === 'settings.quote_test'));
    const restored = quoted(await target.all());
    expect(restored.map((event) => event.description).sort()).toEqual([...VALUES].sort());
    expect(restored).toEqual(quoted(await source.all()));
  });
});

describe('audit import and export against /openapi.json', () => {
  it("answers the CLI only as each server's /openapi.json says (status, media type, headers, body)", () => {
    const checked = proxies.reduce((sum, proxy) => sum + proxy.checked(), 0);
    expect(checked).toBeGreaterThan(20);
    expect(proxies.flatMap((proxy) => proxy.violations)).toEqual([]);
  });
});
