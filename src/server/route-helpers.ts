import type { FastifyRequest } from 'fastify';
import type { Principal } from './permissions.js';
import { notFound, unauthorized } from './problem.js';

export function requirePrincipal(request: FastifyRequest): Principal {
  if (!request.principal) throw unauthorized('missing token');
  return request.principal;
}

/**
 * The caller's organization, checked against the one in the path. Another organization is
 * answered 404, not 403: its existence is not the caller's business.
 */
export function organizationFor(request: FastifyRequest, slug: string | undefined): Principal {
  const principal = requirePrincipal(request);
  if (slug !== undefined && slug !== principal.organization.slug) {
    throw notFound(`organization "${slug}" not found`);
  }
  return principal;
}
