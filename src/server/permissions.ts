import type { VisibilityScope } from '../domain/filters.js';
import type { Organization, TokenRecord, User } from '../store/directory-store.js';
import { forbidden } from './problem.js';

/** Who is calling: resolved once per request from the bearer token. */
export interface Principal {
  user: User;
  organization: Organization;
  token: TokenRecord;
}

/**
 * What the caller may read (the reference docs' permissions): organization owners and admins
 * read everything; a team admin reads their team's events and their own; a member reads only
 * events they performed. Ingest-scope tokens exist to write and may not read.
 */
export function visibilityOf(principal: Principal): VisibilityScope {
  const { user, token } = principal;
  if (token.scope === 'ingest') {
    throw forbidden('this token has the ingest scope and can only send events');
  }
  const self = { userId: user.publicId, email: user.email };
  if (isOrganizationAdmin(user)) return { kind: 'organization' };
  if (user.role === 'admin' && user.team) return { kind: 'team', teamId: user.team.publicId, ...self };
  return { kind: 'self', ...self };
}

/** Organization-wide owner or admin; an admin with a team is that team's admin only. */
export function isOrganizationAdmin(user: User): boolean {
  return user.role === 'owner' || (user.role === 'admin' && user.team === null);
}

/**
 * Reads of the whole organization (its tree, webhooks, a person's data): an owner or an
 * organization-wide admin with a read token. `what` names the read in the 403.
 */
export function assertOrganizationReader(principal: Principal, what: string): void {
  // Ingest-scope tokens exist to send events and are refused as in any read.
  visibilityOf(principal);
  if (!isOrganizationAdmin(principal.user)) throw forbidden(`${what} needs an organization owner or admin`);
}

export function assertCanIngest(principal: Principal): void {
  if (principal.token.scope === 'ingest' || isOrganizationAdmin(principal.user)) return;
  throw forbidden('sending events needs an owner or admin token, or a token with the ingest scope');
}

export function assertOwner(principal: Principal, what: string): void {
  if (principal.user.role !== 'owner' || principal.token.scope === 'ingest') {
    throw forbidden(`${what} needs an organization owner's token`);
  }
}
