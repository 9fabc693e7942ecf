import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { authenticateRequest } from './authenticate.js';
import { Problem, sendProblem, unauthorized } from './problem.js';
import type { RateDecision, RateLimiter } from './rate-limiter.js';
import type { ServerServices } from './services.js';

declare module 'fastify' {
  interface FastifyContextConfig {
    /** What the request counts as in the rate limit, in requests (default 1), once it is parsed. */
    rateCost?: (request: FastifyRequest) => number;
  }
}

/**
 * Every `/api/` request: authenticate the bearer token, then count it against the token's
 * rate limit (or, when authentication failed, the client address's), answering with the
 * RateLimit headers either way. Failed authentication is audited, throttled per address.
 */
export function registerAuthAndRateLimit(
  app: FastifyInstance,
  services: ServerServices,
  limiter: RateLimiter,
) {
  app.addHook('onRequest', async (request, reply) => {
    if (!request.routeOptions.url?.startsWith('/api/')) return;
    const outcome = await authenticateRequest(request, services);
    const decision = await limiter.check(
      outcome.ok ? `token:${outcome.principal.token.id}` : `ip:${request.ip}`,
    );
    setRateLimitHeaders(reply, decision);
    if (!decision.allowed) return tooManyRequests(reply, request, decision);
    if (!outcome.ok) {
      services.authFailures.report(await orgForFailure(request, services), request.ip, outcome.reason);
      return sendProblem(
        reply,
        unauthorized(`${outcome.reason}: send Authorization: Bearer <token>`),
        request,
      );
    }
    request.principal = outcome.principal;
  });

  // A costly request is charged the rest of its cost once its body and query are parsed and
  // valid, before the handler does the work; the headers then tell what is really left.
  app.addHook('preHandler', async (request, reply) => {
    const cost = request.routeOptions.config.rateCost?.(request) ?? 1;
    if (cost <= 1 || !request.principal) return;
    const decision = await limiter.check(`token:${request.principal.token.id}`, cost - 1);
    setRateLimitHeaders(reply, decision);
    if (!decision.allowed) return tooManyRequests(reply, request, decision);
  });
}

function setRateLimitHeaders(reply: FastifyReply, decision: RateDecision) {
  reply.header('ratelimit-limit', decision.limit);
  reply.header('ratelimit-remaining', decision.remaining);
  reply.header('ratelimit-reset', decision.resetSeconds);
}

function tooManyRequests(reply: FastifyReply, request: FastifyRequest, decision: RateDecision) {
  const problem = new Problem(
    429,
    'rate-limited',
    'Too many requests',
    `more than ${decision.limit} requests a minute; retry in ${decision.resetSeconds} s`,
    {},
    { 'retry-after': String(decision.resetSeconds) },
  );
  return sendProblem(reply, problem, request);
}

/** The organization named in the path when it exists, else the first one (the local default). */
async function orgForFailure(request: FastifyRequest, services: ServerServices): Promise<number> {
  const { directory } = services.engine.stores;
  const slug = (request.params as { org?: string } | undefined)?.org;
  const named = slug === undefined ? undefined : await directory.findOrganization(slug);
  return (named ?? (await directory.listOrganizations())[0])?.id ?? 0;
}
