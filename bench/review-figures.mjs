// The security review's figure for `npm run bench -- --only review`: a database of 1,000,000
// events over 100 days in the review's mix (bench/events.mjs reviewEventSource), filled through
// the store, then `…/audit-logs/review?since=90d` asked several times: the server's own time
// (Server-Timing) and the client's round trip, medians; then `audit report security --since 90d`
// itself, end to end (start-up, the request, the rendering), which is what the bar is.

import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { startTreeServer } from './tree-figures.mjs';

const RUNS = 5;

const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];

export async function reviewFigures({ dir, events, reviewDb, serverTime, log, runCli, env, configDir }) {
  const dbFile = reviewDb ?? join(dir, 'review.db');
  const reuse = existsSync(dbFile);
  log(reuse ? `review: reusing ${dbFile}` : `review: filling ${events} events over 100 days (no tree)`);
  const server = await startTreeServer(dbFile, { sealing: false, fill: reuse ? 0 : events, events: 'review', configDir });
  try {
    const url = `${server.url}/api/v1/organizations/default/audit-logs/review?since=90d`;
    const headers = { authorization: `Bearer ${server.token}`, accept: 'application/json' };
    const runs = [];
    for (let run = 0; run < RUNS; run++) {
      const started = performance.now();
      const response = await fetch(url, { headers });
      const body = await response.json();
      const roundTripMs = performance.now() - started;
      if (response.status !== 200) throw new Error(`review answered ${response.status}: ${JSON.stringify(body)}`);
      runs.push({ serverMs: serverTime(response), roundTripMs, findings: body.data.findings.length, counts: body.data.counts });
      log(`  run ${run + 1}: server ${runs.at(-1).serverMs.toFixed(0)} ms, round trip ${roundTripMs.toFixed(0)} ms, ${body.data.findings.length} findings`);
    }
    const commandSeconds = [];
    for (let run = 0; run < RUNS; run++) {
      const result = await runCli(['report', 'security', '--since', '90d'], env);
      if (result.code !== 0) throw new Error(`audit report security exited ${result.code}: ${result.stderr}`);
      commandSeconds.push(result.seconds);
      log(`  audit report security --since 90d: ${result.seconds.toFixed(2)} s`);
    }
    return {
      events,
      fill: server.filled,
      runs,
      commandSeconds: median(commandSeconds),
      serverMs: median(runs.map((r) => r.serverMs)),
      roundTripMs: median(runs.map((r) => r.roundTripMs)),
      counts: runs[0].counts,
    };
  } finally {
    await server.stop();
  }
}

/** The table's row for the figure. */
export function reviewRows(figures) {
  const review = figures.review;
  if (!review) return [];
  const c = review.counts;
  return [
    [
      'security review, since=90d',
      `audit report security --since 90d ${review.commandSeconds.toFixed(2)} s (server ${review.serverMs.toFixed(0)} ms, round trip ${review.roundTripMs.toFixed(0)} ms; medians of ${review.runs.length}) over ${review.events.toLocaleString('en-US')} events; findings high ${c.high}, medium ${c.medium}, low ${c.low}, info ${c.info}`,
      '< 3 s end to end',
      review.commandSeconds < 3 ? 'pass' : 'MISS',
    ],
  ];
}
