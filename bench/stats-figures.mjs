// The stats API's figures for `npm run bench`: what keeping event_counts costs ingest (with and
// without it, same harness, same run, in turns), and the server time of
// GET …/audit-logs/stats over 30 days of 1,000,000 events next to the plain GROUP BY that
// better-sqlite3 runs over the events table in the same process as the bench.

import Database from 'better-sqlite3';
import { rmSync } from 'node:fs';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
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
  // A zone whose offset is not whole hours: the rollup cannot answer, the events are counted.
  {
    groupBy: 'day',
    tz: 'Asia/Kolkata',
    offsetMs: 19_800_000,
    samples: 5,
    raw: (day) => `SELECT ${day}, count(*) FROM events WHERE ${RAW_WHERE} GROUP BY 1`,
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

const DIST = join(fileURLToPath(new URL('..', import.meta.url)), 'dist');

/**
 * The same comparison without HTTP, where the cost is: `events` events recorded through the
 * store (1,000 a transaction, as an ingest batch) into a new database file, keeping event_counts
 * or not, `runs` runs a side in turns. This process's CPU an event, median of the runs.
 */
export async function rollupStoreIngest({ dir, events, runs, log }) {
  const { openDatabase } = await import(join(DIST, 'store', 'database.js'));
  const { createStores } = await import(join(DIST, 'store', 'stores.js'));
  const makeEvent = eventSource(events, Date.now() - DAY, 30);
  const batches = [];
  for (let start = 0; start < events; start += 1000) {
    batches.push(Array.from({ length: Math.min(1000, events - start) }, (_, i) => makeEvent(start + i)));
  }
  const samples = { on: [], off: [] };
  // Run -1 warms the process up (JIT, first statements) and is not counted.
  for (let run = -1; run < runs; run++) {
    for (const side of run % 2 === 0 ? ['off', 'on'] : ['on', 'off']) {
      const file = join(dir, `store-rollup-${side}-${run}.db`);
      const db = openDatabase(file);
      const stores = createStores(db, Date.now, undefined, { eventCounts: side === 'on' });
      const org = stores.directory.ensureOrganization('default').organization.id;
      const cpu = process.cpuUsage();
      for (const batch of batches) stores.recorder.record(org, batch);
      const used = process.cpuUsage(cpu);
      db.close();
      for (const suffix of ['', '-wal', '-shm']) rmSync(`${file}${suffix}`, { force: true });
      if (run < 0) continue;
      samples[side].push((used.user + used.system) / events);
      log(`  store, event_counts ${side}: ${samples[side].at(-1).toFixed(1)} µs CPU an event`);
    }
  }
  const middle = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
  return { events, runs, cpuOn: middle(samples.on), cpuOff: middle(samples.off), samples };
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
        tz: query.tz ?? 'UTC',
      })}`;
      const samples = query.samples ?? SAMPLES;
      const warmUp = Math.min(WARM_UP, samples);
      const times = [];
      let total = 0;
      for (let i = 0; i < warmUp + samples; i++) {
        const response = await fetch(url, { headers });
        const body = await response.json();
        if (response.status !== 200) throw new Error(`stats answered ${response.status}: ${JSON.stringify(body)}`);
        if (i >= warmUp) times.push(serverTime(response));
        total = body.data.total;
      }
      // The same counts straight from SQLite: days at the zone's fixed offset, prepared once.
      const statement = raw.prepare(query.raw(`(ts + ${query.offsetMs ?? 0}) / ${DAY}`)).raw(true);
      const rawTimes = [];
      let rawTotal = 0;
      for (let i = 0; i < warmUp + samples; i++) {
        const started = performance.now();
        const rows = statement.all({ org, from, to: to + 1 });
        if (i >= warmUp) rawTimes.push(performance.now() - started);
        rawTotal = rows.reduce((sum, row) => sum + row.at(-1), 0);
      }
      const figure = {
        groupBy: query.groupBy,
        tz: query.tz ?? 'UTC',
        total,
        rawTotal,
        server: percentiles(times),
        raw: percentiles(rawTimes),
      };
      figures.queries.push(figure);
      log(
        `  group_by=${query.groupBy} tz=${figure.tz}: server p50 ${figure.server.p50Ms.toFixed(1)} ms, p95 ${figure.server.p95Ms.toFixed(1)} ms; raw GROUP BY p50 ${figure.raw.p50Ms.toFixed(1)} ms (${total} vs ${rawTotal} events)`,
      );
    }
  } finally {
    raw.close();
    await server.stop();
  }
  return figures;
}
