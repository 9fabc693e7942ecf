import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance } from 'fastify';
import { requirePrincipal } from '../route-helpers.js';
import { MeSchema, problemResponses } from '../schemas/common.js';

export function registerMeRoute(app: FastifyInstance) {
  app.withTypeProvider<TypeBoxTypeProvider>().get(
    '/api/v1/me',
    {
      schema: {
        summary: 'Who the token belongs to',
        response: { 200: MeSchema, ...problemResponses(401, 429) },
      },
    },
    async (request) => {
      const { user, organization, token } = requirePrincipal(request);
      return {
        user: {
          id: user.publicId,
          name: user.name,
          email: user.email,
          role: user.role,
          team: user.team ? { id: user.team.publicId, name: user.team.name } : null,
        },
        organization: {
          slug: organization.slug,
          name: organization.name,
          plan: organization.plan,
          retention_days: organization.retentionDays,
        },
        token: { prefix: token.prefix, scope: token.scope, name: token.name },
      };
    },
  );
}
