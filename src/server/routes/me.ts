import type { FastifyInstance } from 'fastify';
import { Type } from 'typebox';
import { requirePrincipal } from '../route-helpers.js';
import { problemResponses } from '../schemas/common.js';

const MeSchema = Type.Object({
  user: Type.Object({
    id: Type.String(),
    name: Type.String(),
    email: Type.String(),
    role: Type.String(),
    team: Type.Union([Type.Object({ id: Type.String(), name: Type.String() }), Type.Null()]),
  }),
  organization: Type.Object({
    slug: Type.String(),
    name: Type.String(),
    plan: Type.String(),
    retention_days: Type.Union([Type.Integer(), Type.Null()]),
  }),
  token: Type.Object({
    prefix: Type.String(),
    scope: Type.String(),
    name: Type.Union([Type.String(), Type.Null()]),
  }),
});

export function registerMeRoute(app: FastifyInstance) {
  app.get(
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
