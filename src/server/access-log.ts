import type { FastifyInstance } from 'fastify';
import { userActor } from './server-actor.js';
import type { ServerServices } from './services.js';

/**
 * Detailed access tracking: with it switched on for the organization, every authenticated API
 * request becomes an `access.api_call` event (shown only in detailed mode). Off by default.
 */
export function registerAccessLog(app: FastifyInstance, services: ServerServices) {
  app.addHook('onResponse', async (request, reply) => {
    const principal = request.principal;
    if (!principal) return;
    // Re-read: the switch may have been flipped since the request was authenticated.
    const organization = services.directory.organizationById(principal.organization.id);
    if (!organization?.accessLogging) return;
    await services.writes.write(() =>
      services.recorder.record(organization.id, [
        {
          action: 'access.api_call',
          actor: userActor(principal.user),
          context: {
            ip_address: request.ip,
            user_agent: request.headers['user-agent'] ?? undefined,
            team_id: principal.user.team?.publicId,
            team_name: principal.user.team?.name,
          },
          metadata: {
            method: request.method,
            path: request.url.split('?')[0] ?? request.url,
            status: reply.statusCode,
          },
        },
      ]),
    );
  });
}
