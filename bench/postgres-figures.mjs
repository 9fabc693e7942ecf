// `npm run bench -- --only postgres [--database URL] [--events N]` (issue 23): the server's main
// figures on PostgreSQL beside the same on SQLite, in one run, with the same events and the same
// client code (bench.mjs's helpers, passed in): ingest with one client and with four, a filtered
// page, free-text search, export, and tail latency.
//
// PostgreSQL runs as two instances on one database: the four ingest clients are spread over both,
// reads go through the instance that did not ingest the one-client half, and the tail follower is
// on instance B while events are ingested through A. SQLite is one instance (one process owns its
// file), so there everything goes through it.
//
// Without --database a throwaway cluster is started with `.ci/postgres-cluster start --durable`:
// on disk with fsync, as SQLite's figures are; it is stopped at the end.

import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { eventSource } from './events.mjs';

const DAY = 86_400_000;

/** The figures of both engines and their ratios PostgreSQL / SQLite. */
export async function postgresFigures(h) {
  const end = Date.now() - DAY;
  const cluster = h.databaseUrl === undefined ? startCluster(h.root, h.log) : undefined;
  try {
    const url = h.databaseUrl ?? cluster.url;
    h.log(`postgres: SQLite first, ${h.events} events`);
    const sqlite = await engineFigures(h, 'sqlite', end, undefined);
    h.log(`postgres: PostgreSQL, ${h.events} events, two instances`);
    const postgres = await engineFigures(h, 'postgres', end, url);
    return {
      events: h.events,
      database: cluster
        ? 'a throwaway cluster on disk, durable (.ci/postgres-cluster start --durable)'
        : 'the database given with --database',
      postgresVersion: serverVersion(url),
      sqlite,
      postgres,
      ratios: Object.fromEntries(FIGURES.map(([key, , pick]) => [key, pick(postgres) / pick(sqlite)])),
    };
  } finally {
    if (cluster) stopCluster(h.root, cluster.dir, h.log);
  }
}

/** One engine: its servers, then the figures in the same order and with the same calls on both. */
async function engineFigures(h, engine, end, url) {
  const dir = join(h.dir, `engine-${engine}`);
  const configA = join(dir, 'config-a');
  const configB = join(dir, 'config-b');
  mkdirSync(configA, { recursive: true });
  mkdirSync(configB, { recursive: true });
  const envA = h.cliEnv(configA);
  const database = url === undefined ? join(dir, 'audit.db') : { url, keyFile: join(dir, 'postgres.key') };
  const servers = [];
  try {
    const a = await h.startServer(database, envA);
    servers.push(a);
    if (url !== undefined) servers.push(await h.startServer(database, h.cliEnv(configB), { token: false }));
    const b = servers[servers.length - 1];
    const apiA = new h.Api(a.url, a.token);
    const apiB = new h.Api(b.url, a.token);
    // The follower on B: that instance's address and the owner token through the environment.
    const followerEnv = { ...h.cliEnv(configB), AUDIT_SERVER: b.url, AUDIT_TOKEN: a.token, AUDIT_ORG: 'default' };

    const makeEvent = eventSource(h.events, end);
    const half = Math.floor(h.events / 2000) * 1000;
    const figures = { instances: servers.length };
    h.log(`${engine}: ingest ${half} events with one client`);
    figures.ingestOne = await h.ingestAll(apiA, makeEvent, 0, half, 1);
    h.log(`${engine}: ingest ${h.events - half} events with four clients over ${servers.length} instance(s)`);
    figures.ingestFour = await h.ingestAll([apiA, apiB], makeEvent, half, h.events, 4);
    h.log(`${engine}: filtered page`);
    figures.filtered = await h.filteredPage(apiB, end);
    h.log(`${engine}: free-text search`);
    figures.search = await h.search(apiB);
    h.log(`${engine}: export`);
    const rawDump = url === undefined ? h.sqliteDump(database) : postgresDump(url);
    figures.exported = await h.exportFigures(envA, dir, rawDump, end);
    h.log(`${engine}: tail latency, ingest through A, audit tail on ${servers.length > 1 ? 'B' : 'A'}`);
    figures.tail = await h.tailLatency(apiA, followerEnv);
    return figures;
  } finally {
    await Promise.all(servers.map((server) => server.stop()));
  }
}

// ---------------------------------------------------------------------------------------------
// The cluster and psql

function startCluster(root, log) {
  log('postgres: starting a throwaway durable cluster (.ci/postgres-cluster start --durable)');
  const started = spawnSync(join(root, '.ci', 'postgres-cluster'), ['start', '--durable'], { encoding: 'utf8' });
  if (started.status !== 0) throw new Error(`.ci/postgres-cluster failed (${started.status}): ${started.stderr}`);
  const values = Object.fromEntries(
    started.stdout
      .split('\n')
      .filter((line) => line.includes('='))
      .map((line) => [line.slice(0, line.indexOf('=')), line.slice(line.indexOf('=') + 1)]),
  );
  return { url: values.AUDIT_TEST_DATABASE_URL, dir: values.AUDIT_TEST_PG_DIR };
}

function stopCluster(root, dir, log) {
  const stopped = spawnSync(join(root, '.ci', 'postgres-cluster'), ['stop', dir], { encoding: 'utf8' });
  if (stopped.status !== 0) log(`could not stop the cluster in ${dir}: ${stopped.stderr.trim()}`);
}

/** psql on the PATH, else the newest PostgreSQL's; undefined when there is none. */
function psqlCommand() {
  if (spawnSync('psql', ['--version']).status === 0) return 'psql';
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort((x, y) => Number(y) - Number(x)) : [];
  return versions.map((v) => join(base, v, 'bin', 'psql')).find((file) => existsSync(file));
}

/** libpq's variables for a postgres:// URL: the password never reaches argv. */
function libpqEnv(url) {
  const u = new URL(url);
  return {
    ...process.env,
    PGHOST: u.hostname,
    PGPORT: u.port || '5432',
    PGUSER: decodeURIComponent(u.username),
    PGPASSWORD: decodeURIComponent(u.password),
    PGDATABASE: decodeURIComponent(u.pathname.slice(1)),
  };
}

function psql(url, sql, stdout) {
  const command = psqlCommand();
  if (!command) return undefined;
  const args = ['-X', '-q', '-A', '-t', '-v', 'ON_ERROR_STOP=1', '-c', sql];
  if (!stdout) return spawnSync(command, args, { env: libpqEnv(url), encoding: 'utf8' });
  return spawnSync('sh', ['-c', '"$0" "$@" > "$OUT"', command, ...args], {
    env: { ...libpqEnv(url), OUT: stdout },
    encoding: 'utf8',
  });
}

/** PostgreSQL's raw dump, the counterpart of `sqlite3 -csv`: COPY of the events table. */
function postgresDump(url) {
  if (!psqlCommand()) return undefined;
  return {
    name: 'psql COPY csv',
    dump: (file) => psql(url, 'COPY (SELECT * FROM events) TO STDOUT WITH (FORMAT csv, HEADER)', file),
  };
}

function serverVersion(url) {
  const result = psql(url, 'SHOW server_version');
  return result?.status === 0 ? result.stdout.trim() : 'unknown';
}

// ---------------------------------------------------------------------------------------------
// The table

/** [key, label, value of one engine's figures, unit]: the rows of the side-by-side table. */
const FIGURES = [
  ['ingestOne', 'ingest, 1 client', (f) => f.ingestOne.perSecond, 'events/s'],
  ['ingestFour', 'ingest, 4 clients (PG: over 2 instances)', (f) => f.ingestFour.perSecond, 'events/s'],
  ['filteredP50', 'filtered page p50 (server time)', (f) => f.filtered.serverP50Ms, 'ms'],
  ['filteredRoundTripP50', 'filtered page p50 (round trip)', (f) => f.filtered.roundTripP50Ms, 'ms'],
  ['searchP50', 'free-text search p50 (round trip)', (f) => f.search.roundTripP50Ms, 'ms'],
  ['export', 'audit export --format csv', (f) => f.exported.rowsPerSecond, 'rows/s'],
  ['rawDump', 'raw dump (sqlite3 -csv / psql COPY)', (f) => f.exported.raw?.rowsPerSecond ?? Number.NaN, 'rows/s'],
  ['tailP50', 'tail p50 from POST answer (PG: A → B)', (f) => f.tail.afterAnswerP50Ms, 'ms'],
  ['tailP95', 'tail p95 from POST answer (PG: A → B)', (f) => f.tail.afterAnswerP95Ms, 'ms'],
  ['tailSentP50', 'tail p50 from POST sent (PG: A → B)', (f) => f.tail.p50Ms, 'ms'],
  ['ingestOneP50', 'one-event POST p50 (tail phase)', (f) => f.tail.postP50Ms, 'ms'],
];

/** The header, rows and notes of the side-by-side table; fmt and fmtInt are bench.mjs's. */
export function postgresTable(figures, { fmt, fmtInt }) {
  const cell = (value, unit) => (unit === 'ms' ? `${fmt(value, 2)} ms` : `${fmtInt(value)} ${unit}`);
  const rows = FIGURES.map(([key, label, pick, unit]) => [
    label,
    cell(pick(figures.sqlite), unit),
    cell(pick(figures.postgres), unit),
    `${fmt(figures.ratios[key], 2)}×`,
  ]);
  const notes = [
    `PostgreSQL ${figures.postgresVersion}: ${figures.database}; ${fmtInt(figures.events)} events on each engine.`,
    'Rates: higher is better; times: lower is better. Ratio = PostgreSQL / SQLite.',
  ];
  return { header: ['figure', 'SQLite', 'PostgreSQL', 'PG / SQLite'], rows, notes };
}
