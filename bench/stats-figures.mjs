// The stats API's figures for `npm run bench`: what keeping event_counts costs ingest (with and
// without it, same harness, same run, in turns), and the server time of
// GET …/audit-logs/stats over 30 days of 1,000,000 events next to the plain GROUP BY that
// better-sqlite3 runs over the events table in the same process as the bench.

import Database from 'better-sqlite3';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { eventSource } from './events.mjs';
import { ingestWithAndWithoutTree, startTreeServer } from './tree-figures.mjs';

const DAY = 86_400_000;
const WARM_UP = 3;
const SAMPLES = 30;

/** The queries measured: the stats query, and the GROUP BY over events that answers the same. */
const QUERIES = [
  { groupBy: 'day', raw: (day) => `SELECT ${day}, count(*) FROM events WHERE ${RAW_WHERE} GROUP BY 1` },
  { groupBy: 'category', raw: () => `SELECT category, count(*) FROM events WHERE ${RAW_WHERE} GROUP BY 1` },
  {
    groupBy: 'day,category',
    raw: (day) => `SELECT ${day}, category, count(*) FROM events WHERE ${RAW_WHERE} GROUP BY 1, 2`,
  },
];
// What the list hides unless asked for, as the stats query does.
const RAW_WHERE = "org_id = @org AND ts >= @from AND ts < @to AND category <> 'access' AND action <> 'audit.checkpoint_signed'";

const percentiles = (values) => {
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))];
  return { p50Ms: at(50), p95Ms: at(95), samples: values.length };
};

/** Ingest keeping event_counts and not: `events` events, `runs` runs a side. */
export function rollupIngest({ dir, events, clients, runs, Api, ingestAll, log }) {
  return ingestWithAndWithoutTree({
    dir,
    events,
    clients,
    runs,
    Api,
    ingestAll,
    log,
    what: 'rollup',
    makeEvent: eventSource(events, Date.now() - DAY),
    serverOptions: (side) => ({ sealing: true, rollup: side === 'on' }),
  });
}

/** A database of `events` events over 30 days (no tree: it plays no part here), then the queries. */
export async function statsQueryFigures({ dir, events, serverTime, log }) {
  const dbFile = join(dir, 'stats.db');
  log(`stats: filling a database with ${events.toLocaleString('en-US')} events over 30 days through the store`);
  const server = await startTreeServer(dbFile, { sealing: false, fill: events, fillDays: 30 });
  const figures = { events, fill: server.filled, queries: [] };
  log(`  recorded in ${server.filled.recordSeconds.toFixed(1)} s`);
  const raw = new Database(dbFile, { readonly: true });
  try {
    const to = Date.now();
    const from = to - 30 * DAY;
    const org = raw.prepare("SELECT id FROM organizations WHERE slug = 'default'").pluck().get();
    const headers = { authorization: `Bearer ${server.token}`, accept: 'application/json' };
    for (const query of QUERIES) {
      const url = `${server.url}/api/v1/organizations/default/audit-logs/stats?${new URLSearchParams({
        group_by: query.groupBy,
        from: new Date(from).toISOString(),
        to: new Date(to).toISOString(),
      })}`;
      const times = [];
      let total = 0;
      for (let i = 0; i < WARM_UP + SAMPLES; i++) {
        const response = await fetch(url, { headers });
        const body = await response.json();
        if (response.status !== 200) throw new Error(`stats answered ${response.status}: ${JSON.stringify(body)}`);
        if (i >= WARM_UP) times.push(serverTime(response));
        total = body.data.total;
      }
      // The same counts straight from SQLite: UTC days, one statement prepared once.
      const statement = raw.prepare(query.raw(`ts / ${DAY}`)).raw(true);
      const rawTimes = [];
      let rawTotal = 0;
      for (let i = 0; i < WARM_UP + SAMPLES; i++) {
        const started = performance.now();
        const rows = statement.all({ org, from, to: to + 1 });
        if (i >= WARM_UP) rawTimes.push(performance.now() - started);
        rawTotal = rows.reduce((sum, row) => sum + row.at(-1), 0);
      }
      const figure = { groupBy: query.groupBy, total, rawTotal, server: percentiles(times), raw: percentiles(rawTimes) };
      figures.queries.push(figure);
      log(
        `  group_by=${query.groupBy}: server p50 ${figure.server.p50Ms.toFixed(1)} ms, p95 ${figure.server.p95Ms.toFixed(1)} ms; raw GROUP BY p50 ${figure.raw.p50Ms.toFixed(1)} ms (${total} vs ${rawTotal} events)`,
      );
    }
  } finally {
    raw.close();
    await server.stop();
  }
  return figures;
}
