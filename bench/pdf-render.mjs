#!/usr/bin/env node
// `node bench/pdf-render.mjs [EVENTS]` (PDF_BENCH_DIST=file:///…/dist/ to compare another build): renders a PDF report of EVENTS synthetic events (default
// 200,000) with the built renderer (dist/), and reports the time, the pages, and the longest
// stall of the event loop while it ran (what freezes a spinner and delays Ctrl-C). Not a test.
import { createWriteStream, mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { monitorEventLoopDelay, performance } from 'node:perf_hooks';

const dist = process.env.PDF_BENCH_DIST ?? new URL('../dist/', import.meta.url).href;
const { writePdfReport } = await import(new URL('export/pdf/index.js', dist).href);
const total = Number(process.argv[2] ?? 200_000);
const ACTIONS = ['user.login', 'tunnel.deleted', 'team.member_role_changed', 'billing.payment_failed'];
const CATEGORIES = ['auth', 'tunnel', 'team', 'billing'];
const START = Date.parse('2024-01-01T00:00:00Z');

async function* events() {
  for (let n = 0; n < total; n++) {
    yield {
      id: `log_${String(n).padStart(26, '0')}`,
      timestamp: new Date(START + n * 39_000).toISOString(),
      received_at: new Date(START + n * 39_000).toISOString(),
      category: CATEGORIES[n % 4],
      action: ACTIONS[n % 4],
      description: n % 5 === 0 ? `line one, "quoted" line two #${n} — ünïcödé` : `Event number ${n}`,
      // As `npm run bench`'s events: "First Last (first.last12@example.com)" takes two lines, so
      // 200,000 events make the 11,000 pages of issue 20.
      actor: {
        id: `user_${n % 200}`,
        name: `Alexandra Montgomery ${n % 200}`,
        email: `alexandra.montgomery${n % 200}@example.com`,
        type: 'user',
      },
      target: n % 2 === 0 ? { type: 'tunnel', id: `tunnel_${n}`, name: `api-${n}.example.net` } : null,
      context: n % 3 === 0 ? { ip_address: '203.0.113.7', user_agent: 'x', team_id: null, team_name: null } : null,
      changes: null,
      metadata: null,
    };
  }
}

const dir = mkdtempSync(join(tmpdir(), 'pdf-bench-'));
const file = join(dir, 'report.pdf');
const delay = monitorEventLoopDelay({ resolution: 10 });
let longestGap = 0;
let longestAt = "";
let started = performance.now();
const cpuBefore = process.cpuUsage();
let lastTick = performance.now();
// Under load the process also waits for a core: the CPU time between two ticks is the stall
// this process caused itself.
let lastCpu = process.cpuUsage();
let longestCpuGap = 0;
const ticker = setInterval(() => {
  const cpuNow = process.cpuUsage();
  longestCpuGap = Math.max(longestCpuGap, (cpuNow.user + cpuNow.system - lastCpu.user - lastCpu.system) / 1000);
  lastCpu = cpuNow;
  const now = performance.now();
  if (now - lastTick > longestGap) {
    longestGap = now - lastTick;
    longestAt = ((lastTick - started) / 1000).toFixed(1);
  }
  lastTick = now;
}, 10);
let lastProgress;
const options = {
  title: 'Audit log export',
  organization: 'Bench',
  period: '2024',
  filters: {},
  zone: 'UTC',
  onProgress: (progress) => {
    lastProgress = progress;
  },
};
delay.enable();
started = performance.now();
const { count } = await writePdfReport(events(), options, createWriteStream(file));
const seconds = (performance.now() - started) / 1000;
const cpu = process.cpuUsage(cpuBefore);
delay.disable();
clearInterval(ticker);
const pages = (readFileSync(file, 'latin1').match(/\/Type \/Page\b/g) ?? []).length;
console.log(
  JSON.stringify({
    events: count,
    pages,
    bytes: statSync(file).size,
    seconds: Number(seconds.toFixed(2)),
    cpuSeconds: Number(((cpu.user + cpu.system) / 1e6).toFixed(2)),
    longestStallMs: Math.round(longestGap),
    longestStallAtS: longestAt,
    longestStallCpuMs: Math.round(longestCpuGap),
    loopDelayMaxMs: Math.round(delay.max / 1e6),
    loopDelayP99Ms: Math.round(delay.percentile(99) / 1e6),
    lastProgress,
  }),
);
rmSync(dir, { recursive: true, force: true });
