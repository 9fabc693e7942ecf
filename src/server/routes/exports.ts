import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { visibilityOf } from '../permissions.js';
import { organizationFor } from '../route-helpers.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import { ExportRecordSchema, OneEventAnswer } from '../schemas/event.js';
import { userActor } from '../server-actor.js';

/**
 * Exports are audited: a client that finished an export (or a backup) reports it here once,
 * and the server records one `audit.exported` event with the caller as actor. Anyone who may
 * read may report; the event is the server's, so readers need no ingest permission.
 */
export function registerExportRecordRoute(app: FastifyInstance) {
  app.withTypeProvider<TypeBoxTypeProvider>().post(
    '/api/v1/organizations/:org/exports',
    {
      schema: {
        tags: ['audit-logs'],
        summary: 'Record a completed export or backup as one audit.exported event',
        params: OrgParams,
        body: ExportRecordSchema,
        response: {
          201: OneEventAnswer,
          ...problemResponses(400, 401, 403, 404, 429, 503),
        },
      },
    },
    async (request, reply) => {
      const principal = organizationFor(request, request.params.org);
      visibilityOf(principal);
      const body = request.body;
      const result = await app.services.engine.write((tx) =>
        tx.recorder.record(principal.organization.id, [
          {
            action: 'audit.exported',
            actor: userActor(principal.user),
            context: {
              ip_address: request.ip,
              user_agent: request.headers['user-agent'],
              team_id: principal.user.team?.publicId,
              team_name: principal.user.team?.name,
            },
            metadata: {
              kind: body.kind,
              format: body.format,
              count: body.count,
              ...(body.files !== undefined ? { files: body.files } : {}),
              filters: body.filters ?? {},
            },
          },
        ]),
      );
      const [stored] = result.stored;
      // The record's id is the server's own, new: it is always stored, never a duplicate.
      if (!stored) throw new Error('the audit.exported record was not stored');
      reply.code(201);
      return { data: stored.event };
    },
  );
}
