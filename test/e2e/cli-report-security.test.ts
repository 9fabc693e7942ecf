import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { SecurityReview } from '../../src/client/types.js';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';
import { runInTerminal } from '../helpers/pty.js';

const INCIDENT_IP = '198.51.100.77';

/** `audit report security`, spawned, against `audit server start --demo` and against a quiet log. */
describe('audit report security against a real server (spawned)', () => {
  const demo = tempHome();
  const quiet = tempHome();
  const demoEnv = cliEnv(demo.configDir);
  const quietEnv = cliEnv(quiet.configDir);
  let demoServer: SpawnedServer;
  let quietServer: SpawnedServer;

  beforeAll(async () => {
    [demoServer, quietServer] = await Promise.all([
      startServerProcess(['--db', demo.dbFile, '--demo'], demoEnv),
      startServerProcess(['--db', quiet.dbFile], quietEnv),
    ]);
  });
  afterAll(async () => {
    await Promise.all([demoServer?.stop('SIGTERM'), quietServer?.stop('SIGTERM')]);
  });

  it('puts the demo incident first, HIGH, linking the failed sign-ins, the sign-in, the token and the tunnel deletion', async () => {
    const json = await runCli(['report', 'security', '--since', '30d', '-o', 'json'], { env: demoEnv });
    expect(json.code, json.stderr).toBe(0);
    const review = JSON.parse(json.stdout) as SecurityReview;
    const [first] = review.findings;
    expect(first?.severity).toBe('high');
    expect(first?.rule).toBe('brute_force_succeeded');
    expect(first?.queries.some((query) => query.ip === INCIDENT_IP)).toBe(true);
    expect(review.counts.high).toBe(review.findings.filter((finding) => finding.severity === 'high').length);

    const text = await runCli(['report', 'security', '--since', '30d'], { env: demoEnv });
    expect(text.code, text.stderr).toBe(0);
    expect(text.stdout).toMatch(/^Security review · \d{4}-\d\d-\d\d \d\d:\d\d → /);
    expect(text.stdout).not.toContain('\u001b');
    const findings = text.stdout.split('\n\n').slice(1);
    expect(findings[0]).toMatch(/^HIGH {4}\S/);
    expect(findings[0]).toContain(`$ audit logs --ip ${INCIDENT_IP} --from `);
    expect(findings[0]).toContain(first?.event_ids[0]);
  });

  it('the printed command lists the evidence: audit logs with those flags shows the incident events', async () => {
    const review = JSON.parse(
      (await runCli(['report', 'security', '--since', '30d', '-o', 'json'], { env: demoEnv })).stdout,
    ) as SecurityReview;
    const text = (await runCli(['report', 'security', '--since', '30d'], { env: demoEnv })).stdout;
    const command = /\$ audit logs (--ip \S+ --from \S+ --to \S+)/.exec(text)?.[1];
    expect(command).toBeDefined();
    const logs = await runCli(['logs', ...(command ?? '').split(' '), '--all', '-o', 'json'], {
      env: demoEnv,
    });
    expect(logs.code, logs.stderr).toBe(0);
    const shown = new Set((JSON.parse(logs.stdout) as { id: string }[]).map((event) => event.id));
    const incident = review.findings[0];
    for (const id of incident?.event_ids ?? []) expect(shown.has(id), id).toBe(true);
    const actions = (JSON.parse(logs.stdout) as { action: string }[]).map((event) => event.action);
    for (const action of ['user.login_failed', 'user.login', 'security.api_token_created', 'tunnel.deleted'])
      expect(actions).toContain(action);
  });

  it("--fail-on high exits 3 after printing the report; on a new server's log --fail-on low exits 0", async () => {
    const failing = await runCli(['report', 'security', '--since', '30d', '--fail-on', 'high'], {
      env: demoEnv,
    });
    expect(failing.code).toBe(3);
    expect(failing.stdout).toMatch(/\nHIGH {4}/);
    expect(failing.stderr).toMatch(/^audit: \d+ findings? at or above high \(--fail-on high\)\n$/);

    // A new server's log holds only its own set-up: the first owner, listed as info, alerts nobody.
    const clean = await runCli(['report', 'security', '--fail-on', 'low'], { env: quietEnv });
    expect(clean.code, clean.stderr).toBe(0);
    expect(clean.stdout).toMatch(/^Security review · /);
  });

  it('--format md --file writes the report with mode 0600; --format pdf --file writes a PDF', async () => {
    const md = join(demo.dir, 'review.md');
    const wroteMd = await runCli(['report', 'security', '--since', '30d', '--format', 'md', '--file', md], {
      env: demoEnv,
    });
    expect(wroteMd.code, wroteMd.stderr).toBe(0);
    expect(wroteMd.stdout).toBe('');
    expect(statSync(md).mode & 0o777).toBe(0o600);
    const markdown = readFileSync(md, 'utf8');
    expect(markdown).toMatch(/^# Security review\n/);
    expect(markdown).toMatch(/\n## 1\. HIGH: /);
    expect(markdown).toContain(`audit logs --ip ${INCIDENT_IP} --from `);

    const pdf = join(demo.dir, 'review.pdf');
    const wrotePdf = await runCli(
      ['report', 'security', '--since', '30d', '--format', 'pdf', '--file', pdf],
      {
        env: demoEnv,
      },
    );
    expect(wrotePdf.code, wrotePdf.stderr).toBe(0);
    expect(readFileSync(pdf).subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(statSync(pdf).mode & 0o777).toBe(0o600);
  });

  it('refuses to write a PDF to a terminal (exit 2) and says to use --file', async () => {
    const terminal = runInTerminal(['report', 'security', '--format', 'pdf'], {
      env: demoEnv,
      killAfterMs: 20_000,
    });
    const { code, output } = await terminal.done;
    expect(code).toBe(2);
    expect(output).toContain('a PDF is not for a terminal');
    expect(output).toContain('--file review.pdf');
    expect(output).not.toContain('%PDF');
  });
});
