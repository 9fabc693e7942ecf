import type { FastifyInstance, FastifyRequest } from 'fastify';
import { userActor } from './server-actor.js';
import type { ServerServices } from './services.js';

/** What a request's access record adds about what it sent (an export: its rows, and whether it ended). */
export type AccessDetails = Record<string, string | number | boolean>;

/** Requests whose route writes the access record itself, once its answer is over. */
const recordedByRoute = new WeakSet<FastifyRequest>();

/**
 * Detailed access tracking: with it switched on for the organization, every authenticated API
 * request becomes an `access.api_call` event (shown only in detailed mode). Off by default.
 */
export function registerAccessLog(app: FastifyInstance, services: ServerServices) {
  app.addHook('onResponse', async (request, reply) => {
    if (recordedByRoute.has(request)) return;
    await accessRecorder(services, request)(reply.statusCode);
  });
}

/**
 * Takes the access record of `request` over from the onResponse hook, which does not run for an
 * answer cut short (a stream the client dropped). The request's facts are read now, while its
 * socket is open; the returned function writes the record, and does so at most once.
 */
export function takeAccessRecord(
  services: ServerServices,
  request: FastifyRequest,
): (status: number, details: AccessDetails) => Promise<void> {
  recordedByRoute.add(request);
  return accessRecorder(services, request);
}

function accessRecorder(services: ServerServices, request: FastifyRequest) {
  const principal = request.principal;
  const context = {
    ip_address: request.ip,
    user_agent: request.headers['user-agent'] ?? undefined,
    team_id: principal?.user.team?.publicId,
    team_name: principal?.user.team?.name,
  };
  const call = { method: request.method, path: request.url.split('?')[0] ?? request.url };
  let written = false;
  return async (status: number, details: AccessDetails = {}) => {
    if (!principal || written) return;
    written = true;
    // Re-read: the switch may have been flipped since the request was authenticated.
    const { engine } = services;
    const organization = await engine.stores.directory.organizationById(principal.organization.id);
    if (!organization?.accessLogging) return;
    await engine.write((tx) =>
      tx.recorder.record(organization.id, [
        {
          action: 'access.api_call',
          actor: userActor(principal.user),
          context,
          metadata: { ...call, status, ...details },
        },
      ]),
    );
  };
}
