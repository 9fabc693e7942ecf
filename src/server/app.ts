import swagger from '@fastify/swagger';
import Fastify, { type FastifyInstance } from 'fastify';
import { MAX_BODY_BYTES } from '../domain/request-limits.js';
import type { Db } from '../store/database.js';
import type { SharedServerDatabase } from '../store/server-database.js';
import { registerAccessLog } from './access-log.js';
import { registerApiContract } from './api-contract.js';
import { type ConnectionLimits, httpServerOptions, maxConnectionsOf } from './connection-limits.js';
import { registerExactJsonNumbers } from './exact-json-body.js';
import { registerAuthAndRateLimit } from './guard.js';
import { buildLazyValidator } from './lazy-validators.js';
import type { ServerLogOptions } from './log-options.js';
import { fastifyLoggerOptions, OperatorLogController } from './logging.js';
import type { Principal } from './permissions.js';
import { notFound, type Problem, sendProblem, toProblem } from './problem.js';
import { createRateLimiter, type RateLimiter, type RateLimiterOptions } from './rate-limiter.js';
import { registerAuditLogRoutes } from './routes/audit-logs.js';
import { registerExportRecordRoute } from './routes/exports.js';
import { registerGdprRoutes } from './routes/gdpr.js';
import { registerHealthRoutes } from './routes/health.js';
import { registerMeRoute } from './routes/me.js';
import { registerStatsRoute } from './routes/stats.js';
import { registerStreamRoute } from './routes/stream.js';
import { registerTreeRoutes } from './routes/tree.js';
import { registerWebhookRoutes } from './routes/webhooks.js';
import { ProblemSchema } from './schemas/common.js';
import { EventSchema } from './schemas/event.js';
import { buildSharedSerializer } from './serializer-cache.js';
import { createServerServices, type ServerDatabase, type ServerServices } from './services.js';
import { registerStrictIntegers } from './strict-integers.js';

declare module 'fastify' {
  interface FastifyInstance {
    services: ServerServices;
  }
  interface FastifyRequest {
    principal: Principal | null;
  }
}

export interface AppOptions extends ConnectionLimits {
  /** The SQLite database this process serves; or: */
  db?: Db;
  /**
   * A database several instances share (PostgreSQL, store/pg/server-database.ts): its rate
   * windows, signing key and word of other instances' commits come with it. Its owner closes it.
   */
  shared?: SharedServerDatabase;
  now?: () => number;
  rateLimitPerMinute?: number;
  /** The rate limit's window; a minute. Tests only (a paused export resumes sooner); no flag sets it. */
  rateLimitWindowMs?: number;
  /**
   * Makes the rate limiter: by default this process's windows. Several instances on one
   * database pass one whose windows live there (PostgreSQL's rate_windows), so a token's budget
   * is the limit across all of them, not once per instance.
   */
  createLimiter?: (limitPerMinute: number, now: () => number, options: RateLimiterOptions) => RateLimiter;
  /** Export streams (`…/audit-logs/export`) one token may hold at once; default 2. */
  exportsPerToken?: number;
  /** How long an export's reader may leave a full socket unread before it is cut; 120 s unless a test shortens it. */
  exportStallTimeoutMs?: number;
  heartbeatIntervalMs?: number;
  /** How often the server looks for events that other processes wrote (admin commands). */
  followerPollMs?: number;
  /** How long after the last commit the WAL is checkpointed into the main file; default 1 s. */
  quietCheckpointMs?: number;
  /** The operator log (stderr in the CLI); none when absent, as in tests. */
  logging?: ServerLogOptions;
  version?: string;
  /** How long in-flight requests may take to finish once the server is asked to stop. */
  shutdownGraceMs?: number;
  /** First webhook retry delay, doubling per failure up to 2 h; default 30 s. */
  webhookRetryBaseMs?: number;
  /** Webhook delivery attempts before giving up; default: as many as span about a day. */
  webhookMaxAttempts?: number;
  /** Timeout of one webhook request; default 10 s. */
  webhookTimeoutMs?: number;
  /** Let webhooks reach loopback, private and link-local addresses; default false. */
  webhookAllowPrivate?: boolean;
  /** How long a GDPR erasure waits for readers to release old pages before answering 503; default 5 s. */
  gdprScrubWaitMs?: number;
  /** Live streams one token may hold at once; default 10. */
  maxStreamsPerToken?: number;
  /** Live streams one client address may hold at once; default 50. */
  maxStreamsPerAddress?: number;
  /** How often each live stream's token and role are checked again; default 2 s. */
  streamRecheckMs?: number;
  /** The least time between two signed checkpoints of one organization; default 60 s. */
  checkpointIntervalMs?: number | undefined;
  /** false: no Merkle tree, no checkpoints. Bench baseline only (see ServerServiceOptions). */
  treeSealing?: boolean;
  /** false: ingest leaves event_counts alone. Bench baseline only (see ServerServiceOptions). */
  eventCounts?: boolean;
  /** Unsent bytes past which a live stream is cut off; default 1 MiB. */
  streamMaxBufferedBytes?: number;
}

const DEFAULT_STREAM_MAX_BUFFERED_BYTES = 1024 * 1024;

export const DEFAULT_RATE_LIMIT = 600;

/** The API as a Fastify instance, not yet listening: tests drive it with `app.inject()`. */
export async function buildApp(options: AppOptions): Promise<FastifyInstance> {
  const app = Fastify({
    logger: options.logging ? fastifyLoggerOptions(options.logging) : false,
    logController: new OperatorLogController(),
    // A batch of 1000 events of a few KiB each fits; anything larger is refused with 413.
    bodyLimit: MAX_BODY_BYTES,
    ajv: {
      // The route schemas are fixed (TypeBox, src/server/schemas/): checking each against JSON
      // Schema's meta-schema compiled that meta-schema at every start, ~40 ms of CPU, the larger
      // part of Ajv's start. test/unit/route-schemas.test.ts checks them once instead.
      customOptions: {
        removeAdditional: false,
        coerceTypes: 'array',
        useDefaults: true,
        validateSchema: false,
      },
    },
    schemaController: {
      compilersFactory: { buildSerializer: buildSharedSerializer, buildValidator: buildLazyValidator },
    },
    return503OnClosing: true,
    ...httpServerOptions(options),
    // A URL that is not validly percent-encoded is the client's error: a problem like any other 400.
    frameworkErrors: (error, request, reply) => {
      sendProblem(reply, toProblem(error), request);
    },
  });
  app.server.maxConnections = maxConnectionsOf(options);
  const services = await createServerServices(serverDatabaseOf(options), {
    now: options.now,
    streams: {
      perToken: options.maxStreamsPerToken,
      perAddress: options.maxStreamsPerAddress,
      recheckMs: options.streamRecheckMs,
    },
    followerPollMs: options.followerPollMs,
    quietCheckpointMs: options.quietCheckpointMs,
    checkpointIntervalMs: options.checkpointIntervalMs,
    treeSealing: options.treeSealing,
    eventCounts: options.eventCounts,
    onError: (error) => app.log.error(error),
    webhooks: {
      retryBaseMs: options.webhookRetryBaseMs,
      maxAttempts: options.webhookMaxAttempts,
      timeoutMs: options.webhookTimeoutMs,
      allowPrivate: options.webhookAllowPrivate,
    },
  });
  app.decorate('services', services);
  // The API speaks JSON only; anything else is a 415, not a string handed to a route.
  app.removeContentTypeParser('text/plain');
  registerExactJsonNumbers(app);
  app.decorateRequest('principal', null);

  registerApiContract(app);
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'audit — audit-log API',
        version: options.version ?? '0.0.0',
        description: "List, filter, search, stream and ingest an organization's audit events.",
        license: { name: 'MIT', url: 'https://opensource.org/license/mit' },
      },
      // Relative: the document is served by the server it describes, at whatever address.
      servers: [{ url: '/', description: 'the server that serves this document' }],
      components: {
        securitySchemes: { bearerAuth: { type: 'http', scheme: 'bearer', bearerFormat: 'adt_…' } },
      },
      security: [{ bearerAuth: [] }],
    },
    refResolver: {
      buildLocalReference: (json, _base, _fragment, index) => String(json.$id ?? `def-${index}`),
    },
  });
  app.addSchema(ProblemSchema);
  app.addSchema(EventSchema);

  app.setErrorHandler((error, request, reply) => {
    const problem: Problem = toProblem(error);
    if (problem.status >= 500 && problem.status !== 503) request.log.error(error);
    return sendProblem(reply, problem, request);
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(reply, notFound(`no route for ${request.method} ${request.url.split('?')[0]}`), request),
  );

  // Server-Timing (W3C): how long the server spent on this answer, routing to serialized body.
  // Not for a free-text search: it reads the one full-text index all organizations share, so
  // its time would tell whether a term occurs in another organization.
  app.addHook('onSend', async (request, reply) => {
    if (searchesText(request.query)) return;
    reply.header('server-timing', `app;dur=${reply.elapsedTime.toFixed(2)}`);
  });
  const limiter = (options.createLimiter ?? options.shared?.createLimiter ?? createRateLimiter)(
    options.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT,
    services.now,
    { windowMs: options.rateLimitWindowMs },
  );
  registerAuthAndRateLimit(app, services, limiter);
  registerStrictIntegers(app);
  registerAccessLog(app, services);
  registerHealthRoutes(app);
  registerMeRoute(app);
  registerStreamRoute(app, {
    heartbeatIntervalMs: options.heartbeatIntervalMs ?? 15_000,
    maxBufferedBytes: options.streamMaxBufferedBytes ?? DEFAULT_STREAM_MAX_BUFFERED_BYTES,
  });
  registerAuditLogRoutes(app, {
    limiter,
    exportsPerToken: options.exportsPerToken,
    exportStallTimeoutMs: options.exportStallTimeoutMs,
    accessRecheckMs: options.streamRecheckMs,
  });
  registerStatsRoute(app);
  registerTreeRoutes(app);
  registerExportRecordRoute(app);
  registerGdprRoutes(app, { scrubWaitMs: options.gdprScrubWaitMs });
  registerWebhookRoutes(app);

  app.addHook('preClose', async () => {
    await services.close();
    // In-flight requests get a grace period to finish; then connections that a client left
    // open without a request in progress must not hold the shutdown hostage.
    const grace = setTimeout(() => app.server.closeAllConnections(), options.shutdownGraceMs ?? 3000);
    grace.unref();
    app.server.once('close', () => clearTimeout(grace));
  });
  return app;
}

function serverDatabaseOf(options: AppOptions): ServerDatabase {
  if (options.db && options.shared) throw new TypeError('buildApp takes db or shared, not both');
  if (options.db) return { kind: 'sqlite', db: options.db };
  if (options.shared) return { kind: 'shared', shared: options.shared };
  throw new TypeError('buildApp needs a database: db or shared');
}

function searchesText(query: unknown): boolean {
  const q = (query as { q?: unknown } | undefined)?.q;
  return typeof q === 'string' && q.trim() !== '';
}
