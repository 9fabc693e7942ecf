import { existsSync } from 'node:fs';
import type { FastifyInstance } from 'fastify';
import { MAX_BATCH_EVENTS } from '../domain/request-limits.js';
import { openDatabase } from '../store/database.js';
import type { Engine } from '../store/port.js';
import type { SharedServerDatabase } from '../store/server-database.js';
import { DEFAULT_ORGANIZATION } from './admin.js';
import { type AppOptions, buildApp } from './app.js';
import { type Bootstrap, bootstrapIfEmpty } from './bootstrap.js';
import type { ServerLogOptions } from './log-options.js';
import { purgeExpiredEvents } from './retention.js';

export interface StartOptions {
  /** The SQLite file; or, with `databaseUrl`, ignored. */
  dbFile: string;
  /** A PostgreSQL database that any number of instances share. */
  databaseUrl?: string | undefined;
  /** PostgreSQL: the secrets key file every instance is given (made by the first start if missing). */
  secretsKeyFile?: string | undefined;
  host: string;
  port: number;
  demo: boolean;
  rateLimitPerMinute?: number;
  heartbeatIntervalMs?: number;
  /** Live streams one token / one client address may hold at once (defaults 10 and 50). */
  maxStreamsPerToken?: number;
  maxStreamsPerAddress?: number;
  /** Export streams one token may hold at once (default 2). */
  exportsPerToken?: number;
  /** Open connections beyond which new ones are dropped (default 1000). */
  maxConnections?: number;
  version?: string;
  /** First webhook retry delay; default AUDIT_WEBHOOK_RETRY_BASE_MS from the environment, else 30 s. */
  webhookRetryBaseMs?: number;
  /** The least time between two signed checkpoints of a log; default AUDIT_CHECKPOINT_INTERVAL_MS, else 60 s. */
  checkpointIntervalMs?: number;
  /** Let webhooks reach loopback, private and link-local addresses (--webhook-allow-private). */
  webhookAllowPrivate?: boolean;
  /** The database's secrets key file is lost for good: make a new one (--replace-lost-secrets-key). */
  replaceLostSecretsKey?: boolean;
  /** The operator log: level, format and where lines go (none when absent). */
  logging?: ServerLogOptions;
  /** Reports progress lines (demo fill, purge) as they happen. */
  log?: (line: string) => void;
}

export interface RunningServer {
  app: FastifyInstance;
  url: string;
  bootstrap: Bootstrap | undefined;
  demoEvents: number;
  purged: number;
  close(): Promise<void>;
}

const HOUR_MS = 3_600_000;

/**
 * Opens the database and listens; then creates the first organization if the database is empty,
 * optionally fills it with demo events, and purges expired events (then hourly).
 */
export async function startServer(options: StartOptions): Promise<RunningServer> {
  if (options.databaseUrl !== undefined) return startOnPostgres(options.databaseUrl, options);
  const db = openDatabase(options.dbFile, {
    walCheckpointMib: positiveFromEnvironment('AUDIT_WAL_CHECKPOINT_MB', 'MiB', options.log),
    replaceLostSecretsKey: options.replaceLostSecretsKey,
    onLostSecretsKeyReplaced: (webhooks) =>
      options.log?.(
        `Made a new secrets key: new GDPR erasures get new pseudonyms; ${webhooks} webhook(s) have a secret nobody knows and must be deleted and created again.`,
      ),
  });
  return serve(
    { db },
    async () => {
      if (db.open) db.close();
    },
    options,
  );
}

/** One instance on a PostgreSQL database others may share: the driver loads only here. */
async function startOnPostgres(url: string, options: StartOptions): Promise<RunningServer> {
  if (options.secretsKeyFile === undefined)
    throw new TypeError('a PostgreSQL server needs its secrets key file');
  const [{ openPgServerDatabase }, { describeOpenFailure }] = await Promise.all([
    import('../store/pg/server-database.js'),
    import('../store/pg/open-failure.js'),
  ]);
  const keyFileExisted = existsSync(options.secretsKeyFile);
  let shared: SharedServerDatabase;
  try {
    shared = await openPgServerDatabase(url, {
      secretsKey: { file: options.secretsKeyFile },
      onError: (error) => options.log?.(`PostgreSQL: ${(error as Error).message ?? String(error)}`),
    });
  } catch (error) {
    const reason = describeOpenFailure(error, url);
    if (reason) throw new DatabaseOpenError(reason, { cause: error });
    throw error;
  }
  // The first instance made the key every other one needs: the operator must hear of it.
  if (!keyFileExisted && existsSync(options.secretsKeyFile))
    options.log?.(
      `Made the secrets key file ${options.secretsKeyFile} (mode 0600): give every other instance a copy (AUDIT_SECRETS_KEY_FILE) and back it up; the database's keys cannot be opened without it.`,
    );
  return serve({ shared }, () => shared.close(), options);
}

/** The database could not be opened for a reason the operator fixes (unreachable, refused, …). */
export class DatabaseOpenError extends Error {
  override readonly name = 'DatabaseOpenError';
  readonly code = 'ERR_DATABASE_OPEN';
}

/**
 * Builds the app on the open database and listens; the database is closed when the app closes,
 * or at once when it cannot be built or cannot listen.
 */
async function serve(
  database: Pick<AppOptions, 'db' | 'shared'>,
  closeDatabase: () => Promise<void>,
  options: StartOptions,
): Promise<RunningServer> {
  let closing: Promise<void> | undefined;
  const closeOnce = () => {
    closing ??= closeDatabase();
    return closing;
  };
  try {
    const app = await buildApp({ ...database, ...appOptionsOf(options) });
    app.addHook('onClose', closeOnce);
    try {
      return await listenThenPrepare(app, options);
    } catch (error) {
      await app.close();
      throw error;
    }
  } catch (error) {
    await closeOnce().catch(() => {});
    throw error;
  }
}

/** What the CLI's flags and the environment set, the same on both engines. */
function appOptionsOf(options: StartOptions) {
  return {
    rateLimitPerMinute: options.rateLimitPerMinute,
    heartbeatIntervalMs: options.heartbeatIntervalMs,
    maxStreamsPerToken: options.maxStreamsPerToken,
    maxStreamsPerAddress: options.maxStreamsPerAddress,
    exportsPerToken: options.exportsPerToken,
    maxConnections: options.maxConnections,
    streamRecheckMs: positiveFromEnvironment('AUDIT_STREAM_RECHECK_MS', 'milliseconds', options.log),
    version: options.version,
    logging: options.logging,
    webhookAllowPrivate: options.webhookAllowPrivate,
    webhookRetryBaseMs:
      options.webhookRetryBaseMs ??
      positiveFromEnvironment('AUDIT_WEBHOOK_RETRY_BASE_MS', 'milliseconds', options.log),
    checkpointIntervalMs:
      options.checkpointIntervalMs ??
      positiveFromEnvironment('AUDIT_CHECKPOINT_INTERVAL_MS', 'milliseconds', options.log),
  };
}

/** Unsealed events up to which start-up seals them before reporting ready (about a second). */
const SEAL_BEFORE_READY = 50_000;

/**
 * The port first: a start that cannot listen must not spend the one-time owner token, so the
 * first organization, its owner and token are created only once the server is listening.
 */
async function listenThenPrepare(app: FastifyInstance, options: StartOptions): Promise<RunningServer> {
  let purgeTimer: NodeJS.Timeout | undefined;
  app.addHook('onClose', async () => clearInterval(purgeTimer));
  await app.listen({ host: options.host, port: options.port });
  const services = app.services;
  // Instances starting together on a new shared database: one makes the owner and its token.
  const bootstrap = await services.engine.exclusively(() => bootstrapIfEmpty(services.engine));
  const demoEvents = options.demo ? await fillDemo(services.engine, bootstrap !== undefined, options.log) : 0;
  const purgeNow = () => purgeExpiredEvents(services.engine, Date.now());
  const purged = await purgeNow();
  // Every event stored so far enters the tree, and a first checkpoint is signed, before the
  // server says it is ready: `audit verify` right after start has something to check. A large
  // log that predates the tree is sealed while the server already serves.
  if ((await services.engine.stores.sealing.behind()) <= SEAL_BEFORE_READY)
    await services.sealer.settle({ signNow: true });
  else services.sealer.poke();
  // While serving, the purge is writes like any other: each waits for the lock without stopping
  // the event loop, and a lock held past the bound leaves the rest to the next hour.
  purgeTimer = setInterval(() => {
    purgeNow().catch((error: unknown) => app.log.error(error));
  }, HOUR_MS);
  purgeTimer.unref();

  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : options.port;
  return {
    app,
    url: `http://${connectableHost(options.host)}:${port}`,
    bootstrap,
    demoEvents,
    purged,
    close: () => app.close(),
  };
}

/** Demo data goes only into a database that holds no real history. */
async function fillDemo(
  engine: Engine,
  justCreated: boolean,
  log: ((line: string) => void) | undefined,
): Promise<number> {
  const org = await engine.stores.directory.findOrganization(DEFAULT_ORGANIZATION);
  if (!org) return 0;
  const newest = await engine.stores.events.page(
    org.id,
    { detailed: true },
    { kind: 'organization' },
    { order: 'desc', limit: 1 },
  );
  const empty = newest.events.length === 0;
  if (!justCreated && !empty) {
    log?.('The database already holds events; --demo adds demo data only to a new database.');
    return 0;
  }
  const { generateDemoEvents } = await import('./demo/index.js');
  const events = generateDemoEvents({ now: new Date() });
  for (let start = 0; start < events.length; start += MAX_BATCH_EVENTS) {
    const batch = events.slice(start, start + MAX_BATCH_EVENTS);
    await engine.write((tx) => tx.recorder.record(org.id, batch));
  }
  log?.(`Added ${events.length} demo events over the last 90 days.`);
  return events.length;
}

/** The address a client on this machine should use for the host the server bound. */
export function connectableHost(host: string): string {
  if (host === '0.0.0.0' || host === '') return '127.0.0.1';
  if (host === '::') return '[::1]';
  return host.includes(':') ? `[${host}]` : host;
}

/**
 * A server setting from the environment: AUDIT_WEBHOOK_RETRY_BASE_MS (a shorter retry schedule
 * for tests and trials), AUDIT_STREAM_RECHECK_MS (how often live streams re-check their token;
 * default 2 s; export streams use it when it is under their 1 s), AUDIT_WAL_CHECKPOINT_MB (a smaller WAL for a small disk). Ignored,
 * with a line saying so, unless it is a positive whole number.
 */
function positiveFromEnvironment(
  name: string,
  unit: string,
  log: ((line: string) => void) | undefined,
): number | undefined {
  const value = process.env[name];
  if (value === undefined || value === '') return undefined;
  if (/^\d{1,9}$/.test(value) && Number(value) > 0) return Number(value);
  log?.(`Ignoring ${name}=${value}: expected a whole number of ${unit}.`);
  return undefined;
}
