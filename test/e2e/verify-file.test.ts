import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateNoteKey } from '../../src/domain/signed-note.js';
import {
  type CliResult,
  cliEnv,
  closedPort,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { readExportText, sampleEvents } from '../helpers/export-fixtures.js';
import { tempDir } from '../helpers/temp-dir.js';

const FROM = '2023-06-01T00:00:00.000Z';
const TO = '2023-06-03T23:59:59.999Z';
const RANGE = ['--from', FROM, '--to', TO, '--utc'];

describe('audit export --proof and audit verify FILE (offline)', () => {
  const home = tempHome();
  const env = cliEnv(home.configDir);
  let server: SpawnedServer;
  let token: string;
  let keyText: string;
  let keyFile: string;
  let offline: NodeJS.ProcessEnv;
  const dir = tempDir('verify-file');
  const online = () => ({ ...env, AUDIT_SERVER: server.url, AUDIT_TOKEN: token });
  const exported = async (name: string, args: string[] = []) => {
    const path = join(dir, name);
    const result = await runCli(['export', ...RANGE, '-o', path, '--proof', ...args], { env: online() });
    expect(result.code, result.stderr).toBe(0);
    return path;
  };
  // Nothing to reach: a port nobody listens on, no token. The check must not even try.
  const verify = (files: string[], args: string[] = ['--key', keyFile]) =>
    runCli(['verify', ...files, ...args], { env: offline });
  const tampered = (result: CliResult, problem: RegExp) => {
    expect(result.code, result.stderr).toBe(3);
    expect(result.stdout).toMatch(problem);
    expect(result.stderr.split('\n')).toEqual([expect.stringMatching(/^audit: tampered: /), '']);
  };

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile, '--rate-limit', '100000'], {
      ...env,
      AUDIT_CHECKPOINT_INTERVAL_MS: '50',
    });
    token = server.token as string;
    await ingestEvents(server.url, token, [
      ...sampleEvents(300, FROM, TO),
      { action: 'user.login', timestamp: '2023-06-04T00:00:00.000Z' },
    ]);
    // Wait for a checkpoint that holds them all.
    for (;;) {
      const tree = (await (
        await fetch(`${server.url}/api/v1/organizations/default/audit-logs/tree`, {
          headers: { authorization: `Bearer ${token}` },
        })
      ).json()) as {
        data: { sealed_size: number; checkpoint: { size: number } | null; key: { verifier_key: string } };
      };
      keyText = tree.data.key.verifier_key;
      if ((tree.data.checkpoint?.size ?? 0) >= 301) break;
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    keyFile = join(dir, 'server.key');
    writeFileSync(keyFile, `${keyText}\n`);
    offline = cliEnv(join(home.dir, 'offline-config'), {
      AUDIT_SERVER: `http://127.0.0.1:${await closedPort()}`,
    });
  });
  afterAll(async () => {
    await server?.stop();
  });

  it.each(['a.ndjson', 'a.json', 'a.csv', 'a.ndjson.gz', 'a.csv.gz'])(
    'an untouched %s export verifies offline, with no server to reach',
    async (name) => {
      const path = await exported(name);
      const result = await verify([path]);
      expect(result.code, result.stderr).toBe(0);
      expect(result.stderr).toBe('');
      expect(result.stdout).toMatch(
        new RegExp(
          `^✓ .*${name.replace('.', '\\.')}: 300 events proved complete and unmodified, positions \\d+–\\d+\\n`,
        ),
      );
      expect(result.stdout).toMatch(/ {2}checkpoint: tree size [\d,]+, signed .*, origin \S+\/default\n/);
      expect(result.stdout).toMatch(/ {2}key: \S+ SHA256:\S+ \(--key .*server\.key\)\n/);
    },
  );

  it('every part of a --split day export verifies, each against its own proof; -o json says so as data', async () => {
    await exported('split.ndjson', ['--split', 'day']);
    const parts = readdirSync(dir)
      .filter((name) => /^split-.*\.ndjson$/.test(name))
      .sort();
    expect(parts).toEqual(['split-2023-06-01.ndjson', 'split-2023-06-02.ndjson', 'split-2023-06-03.ndjson']);
    const result = await verify(
      parts.map((name) => join(dir, name)),
      ['--key', keyText, '-o', 'json'],
    );
    expect(result.code, result.stderr).toBe(0);
    const report = JSON.parse(result.stdout);
    expect(report.valid).toBe(true);
    expect(
      report.files.map((file: { events: number }) => file.events).reduce((a: number, b: number) => a + b),
    ).toBe(300);
    expect(report.files[1]).toMatchObject({ valid: true, problems: [], key: { source: '--key' } });
    expect(report.files[1].filters).toMatchObject({
      from: '2023-06-02T00:00:00.000Z',
      to: '2023-06-02T23:59:59.999Z',
    });
  });

  it("an attacker's hand edit of one field (the actor's email on line 7) fails offline: exit 3, the line and event named", async () => {
    const path = await exported('edited.ndjson');
    const lines = readFileSync(path, 'utf8').split('\n');
    const event = JSON.parse(lines[6] as string);
    event.actor = { ...event.actor, email: 'someone-else@example.com' };
    lines[6] = JSON.stringify(event);
    writeFileSync(path, lines.join('\n'));
    tampered(await verify([path]), new RegExp(`line 7: event ${event.id} \\(position \\d+\\) was changed`));
  });

  it.each(['edited-blank.ndjson', 'edited-blank.json'])(
    'threat: lines of white space JSON does not know (U+00A0, U+2028, U+FEFF) added to %s fail offline, each named',
    async (name) => {
      const path = await exported(name);
      const lines = readFileSync(path, 'utf8').split('\n');
      lines.splice(3, 0, '\u00a0', '\u2028', ' \ufeff\t');
      writeFileSync(path, lines.join('\n'));
      const result = await verify([path]);
      tampered(result, /line 4 is not a complete JSON event/);
      for (const line of [5, 6]) expect(result.stdout).toMatch(`line ${line} is not a complete JSON event`);
    },
  );

  it("JSON's own white space around an event's line is not an edit: the file still verifies", async () => {
    const path = await exported('spaced.ndjson');
    const lines = readFileSync(path, 'utf8').split('\n');
    lines.splice(3, 0, '', ' \t ', '\r');
    writeFileSync(path, lines.join('\n'));
    const result = await verify([path]);
    expect(result.code, result.stdout + result.stderr).toBe(0);
  });

  it('a line removed from a CSV export is named: the event expected there and the one found', async () => {
    const path = await exported('removed.csv');
    const text = readFileSync(path, 'utf8');
    // Records may span lines (quoted newlines): remove the third record whole.
    const records = text.split(/\n(?=log_)/);
    writeFileSync(path, [...records.slice(0, 3), ...records.slice(4)].join('\n'));
    tampered(
      await verify([path]),
      /line \d+: expected event \S+ \(position \d+\), found "\S+" — a line was removed, added or reordered/,
    );
  });

  it('two swapped lines of a JSON export are named', async () => {
    const path = await exported('swapped.json');
    const lines = readFileSync(path, 'utf8').split('\n');
    [lines[4], lines[5]] = [lines[5] as string, lines[4] as string];
    writeFileSync(path, lines.join('\n'));
    tampered(
      await verify([path]),
      /line 5: expected event \S+ \(position \d+\), found "\S+" — a line was removed, added or reordered/,
    );
  });

  it('a gzipped export cut off (re-compressed without its last 100 lines) says where it ends', async () => {
    const path = await exported('cut.ndjson.gz');
    const lines = readExportText(path).split('\n');
    writeFileSync(path, gzipSync(lines.slice(0, 200).join('\n')));
    tampered(
      await verify([path]),
      /the file ends after 200 of 300 events — it was cut off \(the next is event \S+ at position \d+\)/,
    );
  });

  it("a key other than the server's fails the checkpoint (exit 3), naming the key", async () => {
    const path = await exported('otherkey.ndjson');
    const impostor = generateNoteKey('impostor').verifierKey;
    tampered(
      await verify([path], ['--key', impostor]),
      /the checkpoint's signature does not verify with key impostor/,
    );
  });

  it('refuses without a key it can trust (exit 2): never the key the proof itself names', async () => {
    const path = await exported('nokey.ndjson');
    const result = await verify([path], []);
    expect(result.code).toBe(2);
    expect(result.stderr).toMatch(
      /^audit: no trusted key for .*nokey\.ndjson: pass --key KEY\|FILE .*the proof says it was signed by SHA256:\S+, but a key taken from the proof would prove nothing\n$/,
    );
  });

  it('takes the key a profile pinned when no --key is given (known-logs.json, as audit verify online keeps it)', async () => {
    const path = await exported('pinned.ndjson');
    const config = join(home.dir, 'pinned-config');
    mkdirSync(config, { recursive: true });
    const pin = { verifier_key: keyText, fingerprint: 'SHA256:x', pinned_at: '2024-01-01T00:00:00.000Z' };
    writeFileSync(join(config, 'known-logs.json'), JSON.stringify({ profiles: { work: { acme: pin } } }));
    const result = await runCli(['verify', path], { env: { ...offline, AUDIT_CONFIG_DIR: config } });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ {2}key: \S+ SHA256:\S+ \(pinned by profile "work" for acme\)\n/);
  });

  it('the key `audit verify` pinned online opens the proof offline, with no --key', async () => {
    const pinning = await runCli(['verify'], { env: online() });
    expect(pinning.code, pinning.stderr).toBe(0);
    const path = await exported('pinned-online.ndjson');
    const result = await runCli(['verify', path], {
      env: { ...online(), AUDIT_SERVER: offline.AUDIT_SERVER },
    });
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(/ {2}key: \S+ SHA256:\S+ \(pinned by profile "default" for default\)\n/);
  });

  it('after a GDPR erasure the export still verifies: the erased events are proved by id, time and place only', async () => {
    const erase = await runCli(['gdpr', 'delete', '--user', 'alice@example.com', '--yes'], { env: online() });
    expect(erase.code, erase.stderr).toBe(0);
    const path = await exported('erased.ndjson');
    expect(readFileSync(path, 'utf8')).not.toContain('alice@example.com');
    const result = await verify([path]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      / {2}erased: [1-9][\d,]* events were erased \(GDPR\) or purged after they were logged/,
    );
  });

  it('a file without its proof is a usage error naming the proof expected beside it', async () => {
    const path = join(dir, 'lonely.ndjson');
    writeFileSync(path, '{}\n');
    const result = await verify([path]);
    expect(result.code).toBe(2);
    expect(result.stderr).toBe(
      `audit: no proof for ${path}: expected ${path}.proof.json beside it (audit export --proof writes it)\n`,
    );
  });

  it.each([
    [['-o', '-'], '--proof writes FILE.proof.json beside the file; give -o FILE, not -'],
    [
      ['--format', 'pdf', '-o', join('x.pdf')],
      '--proof: a PDF report cannot be proved row by row; export csv, json or ndjson',
    ],
  ])('export --proof %j is refused with one line, exit 2', async (args, message) => {
    const result = await runCli(['export', ...RANGE, '--proof', ...args], { env: online() });
    expect(result).toMatchObject({ code: 2, stdout: '' });
    expect(result.stderr).toBe(`audit: ${message}\n`);
  });

  it("a backup's file verifies offline with the key of the server that wrote it", async () => {
    const backups = tempDir('verify-backup');
    const backup = await runCli(['backup', 'run', '--utc', '--date', '2023-06-02', '--dir', backups], {
      env: online(),
    });
    expect(backup, backup.stderr).toMatchObject({ code: 0, stderr: '' });
    const result = await verify([join(backups, 'audit-logs-2023-06-02.json')]);
    expect(result.code, result.stderr).toBe(0);
    expect(result.stdout).toMatch(
      /^✓ .*audit-logs-2023-06-02\.json: \d+ events proved complete and unmodified/,
    );
  });

  it('still verifies once the server that wrote the export is gone', async () => {
    const path = await exported('last.ndjson');
    await server.stop();
    const result = await verify([path]);
    expect(result.code, result.stderr).toBe(0);
  });
});
