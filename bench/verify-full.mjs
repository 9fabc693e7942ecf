// Times `audit verify --full` on a temp server holding N events (default 1,000,000):
//   node bench/verify-full.mjs [N] [--fill]     (after npx tsc -p tsconfig.json)
// Prints the ingest time, then the verify time and its rate in events per second. --fill builds
// the database straight through the store (bench/fill-db.mjs) instead of ingesting over HTTP.
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const N = Number(process.argv.slice(2).find((arg) => /^\d+$/.test(arg)) ?? 1_000_000);
const FILL = process.argv.includes('--fill');
const BIN = new URL('../bin/audit.js', import.meta.url).pathname;
const dir = mkdtempSync(join(tmpdir(), 'audit-bench-verify-'));
const env = { ...process.env, AUDIT_CONFIG_DIR: join(dir, 'config'), AUDIT_CHECKPOINT_INTERVAL_MS: '200', NO_COLOR: '1' };
let filledToken;
if (FILL) {
  const t = performance.now();
  const fill = spawnSync(process.execPath, [new URL('fill-db.mjs', import.meta.url).pathname, join(dir, 'audit.db'), String(N)], {
    env,
    encoding: 'utf8',
  });
  if (fill.status !== 0) throw new Error(`fill failed: ${fill.stderr}`);
  const filled = JSON.parse(fill.stdout.trim().split('\n').at(-1));
  filledToken = filled.token;
  console.log(
    `filled ${N} events in ${((performance.now() - t) / 1000).toFixed(1)} s (record ${filled.recordSeconds.toFixed(1)} s, seal ${filled.sealSeconds.toFixed(1)} s)`,
  );
}
const server = spawn(process.execPath, [BIN, 'server', 'start', '--port', '0', '--db', join(dir, 'audit.db'), '--rate-limit', '1000000'], { env });
try {
  let out = '';
  const url = await new Promise((resolve, reject) => {
    server.stdout.on('data', (chunk) => {
      out += chunk;
      const match = /^Listening on (\S+)$/m.exec(out);
      if (match) resolve(match[1]);
    });
    server.on('exit', (code) => reject(new Error(`server exited ${code}`)));
  });
  const token = filledToken ?? /^\s+(adt_\w+)$/m.exec(out)[1];
  const logs = `${url}/api/v1/organizations/default/audit-logs`;
  const headers = { authorization: `Bearer ${token}`, 'content-type': 'application/json' };
  if (!FILL) {
    const started = performance.now();
    let lastId;
    for (let start = 0; start < N; start += 4000) {
      const batches = [0, 1000, 2000, 3000].filter((offset) => start + offset < N).map((offset) => {
        const events = Array.from({ length: Math.min(1000, N - start - offset) }, (_, i) => ({
          action: 'user.login',
          actor: { id: `user_${(start + offset + i) % 5000}`, email: `person${(start + offset + i) % 5000}@example.com` },
          context: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' },
          metadata: { n: start + offset + i },
        }));
        return fetch(logs, { method: 'POST', headers, body: JSON.stringify({ events }) }).then(async (r) => {
          if (r.status !== 201) throw new Error(`ingest ${r.status} ${await r.text()}`);
          return (await r.json()).data.at(-1).id;
        });
      });
      lastId = (await Promise.all(batches)).at(-1);
    }
    console.log(`ingested ${N} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);
    for (;;) {
      const r = await fetch(`${logs}/tree/inclusion?event_id=${lastId}`, { headers });
      if (r.status === 200) break;
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
  const verifyEnv = { ...env, AUDIT_SERVER: url, AUDIT_TOKEN: token, AUDIT_ORG: 'default' };
  const serverCpu = () => {
    // utime + stime of the server, in clock ticks (100 a second on Linux).
    const fields = readFileSync(`/proc/${server.pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100;
  };
  const cpu0 = serverCpu();
  const t0 = performance.now();
  const run = spawnSync('/usr/bin/time', ['-f', '%U %S %M', process.execPath, BIN, 'verify', '--full', '-o', 'json'], {
    env: verifyEnv,
    encoding: 'utf8',
  });
  const seconds = (performance.now() - t0) / 1000;
  const [user, system, peakKb] = run.stderr.trim().split('\n').at(-1).split(' ').map(Number);
  const report = JSON.parse(run.stdout);
  const rate = (s) => Math.round(report.full.leaves / s).toLocaleString('en-US');
  if (run.status !== 0 && run.status !== 3) console.error(run.stderr);
  console.log(
    `load average ${readFileSync('/proc/loadavg', 'utf8').split(' ').slice(0, 3).join(' ')}; audit verify --full: exit ${run.status}, ${report.full.leaves} leaves in ${seconds.toFixed(1)} s wall = ${rate(seconds)} events/s` +
      ` (CLI CPU ${(user + system).toFixed(1)} s = ${rate(user + system)}/s; server CPU ${(serverCpu() - cpu0).toFixed(1)} s = ${rate(serverCpu() - cpu0)}/s; CLI peak RSS ${Math.round(peakKb / 1024)} MB)`,
  );
} finally {
  server.kill('SIGTERM');
  await new Promise((resolve) => server.on('exit', resolve));
  rmSync(dir, { recursive: true, force: true });
}
