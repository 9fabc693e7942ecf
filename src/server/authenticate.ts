import type { FastifyRequest } from 'fastify';
import { checkTokenFormat } from '../domain/token.js';
import type { Principal } from './permissions.js';
import type { ServerServices } from './services.js';

export type AuthOutcome = { ok: true; principal: Principal } | { ok: false; reason: string };

/** Reads `Authorization: Bearer <token>` and resolves the caller; never echoes the token. */
export async function authenticateRequest(
  request: FastifyRequest,
  services: ServerServices,
): Promise<AuthOutcome> {
  const header = request.headers.authorization;
  if (!header) return { ok: false, reason: 'missing token' };
  const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
  if (!match) return { ok: false, reason: 'malformed authorization header' };
  const token = match[1] as string;
  if (!checkTokenFormat(token).ok) return { ok: false, reason: 'malformed token' };
  const result = await services.engine.stores.directory.authenticate(token);
  if (!result.ok) return { ok: false, reason: result.reason };
  return {
    ok: true,
    principal: { user: result.user, organization: result.organization, token: result.token },
  };
}
