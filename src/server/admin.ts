import type { Actor } from '../domain/event.js';
import { shellQuoteForDisplay } from '../format/shell-quote.js';
import { type OpenOptions, openDatabase } from '../store/database.js';
import type { Organization, Plan, Role, TokenRecord, TokenScope, User } from '../store/directory-store.js';
import { createStores, type Stores } from '../store/stores.js';
import { writeTransaction } from '../store/transaction.js';
import { ENTERPRISE_MAX_RETENTION_DAYS, retentionDaysFor } from './retention.js';
import { localAdministrator } from './server-actor.js';

/** A refusal an operator can act on; the CLI prints it as one line (exit 2). */
export class AdminError extends Error {
  override readonly name = 'AdminError';
}

/** The database cannot be opened as it is (its secrets key, its schema); one line, exit 1. */
export class AdminDatabaseError extends Error {
  override readonly name = 'AdminDatabaseError';
}

/** Open failures that name their cause in one line an operator can act on. */
const OPERATOR_OPEN_FAILURES = new Set(['ERR_SECRETS_KEY', 'ERR_SCHEMA_MISMATCH']);

export const DEFAULT_ORGANIZATION = 'default';

/**
 * The operations behind `audit server user|token|org …`. Each changes the directory and records
 * what it did in the organization's own audit log, as the reference documents require; the
 * change and its record commit in one transaction, so neither is ever stored without the other.
 */
export function createAdmin(stores: Stores, actor: Actor = localAdministrator()) {
  const { directory, recorder } = stores;

  const organization = (slug: string): Organization => {
    const found = directory.findOrganization(slug);
    if (!found) throw new AdminError(`no organization "${slug}" in this database`);
    return found;
  };

  const record = (orgId: number, input: Parameters<typeof recorder.record>[1][number]) =>
    recorder.record(orgId, [{ actor, ...input }]);

  function addOrUpdate(
    orgId: number,
    fields: { email: string; name?: string; role: Role; team?: string },
  ): { user: User; created: boolean } {
    const { user, previous } = directory.upsertUser(orgId, {
      email: fields.email,
      name: fields.name,
      role: fields.role,
      teamName: fields.team,
    });
    const target = { type: 'user', id: user.publicId, name: user.email };
    const context = { team_id: user.team?.publicId, team_name: user.team?.name };
    if (!previous) {
      record(orgId, { action: 'team.member_added', target, context, metadata: { role: user.role } });
    } else if (previous.role !== user.role || previous.team?.publicId !== user.team?.publicId) {
      record(orgId, {
        action: 'team.member_role_changed',
        target,
        context,
        changes: {
          ...(previous.role !== user.role ? { role: { old: previous.role, new: user.role } } : {}),
          ...(previous.team?.name !== user.team?.name
            ? { team: { old: previous.team?.name ?? null, new: user.team?.name ?? null } }
            : {}),
        },
      });
    }
    return { user, created: !previous };
  }

  return {
    organization,

    addUser(
      slug: string,
      fields: { email: string; name?: string; role: Role; team?: string },
    ): { user: User; created: boolean } {
      if (!/^[^\s@]+@[^\s@]+$/.test(fields.email))
        throw new AdminError(`"${fields.email}" is not an email address`);
      const org = directory.ensureOrganization(slug).organization;
      // The change and its event commit together: a live stream that sees the event re-checks
      // its access before it is sent anything written after the change (stream-registry).
      return writeTransaction(stores.db, () => addOrUpdate(org.id, fields));
    },

    createToken(
      slug: string,
      email: string,
      scope: TokenScope,
      name?: string,
    ): { token: string; record: TokenRecord } {
      const org = organization(slug);
      const user = directory.findUserByEmail(org.id, email);
      if (!user)
        throw new AdminError(
          `no user "${email}" in organization "${slug}"; add one with: audit server user add --email ${shellQuoteForDisplay(email)}`,
        );
      return writeTransaction(stores.db, () => {
        const created = directory.createToken(user.id, scope, name);
        record(org.id, {
          action: 'security.api_token_created',
          target: { type: 'api_token', id: created.record.prefix, name: name ?? created.record.prefix },
          metadata: { scope, owner: user.email },
        });
        return created;
      });
    },

    listTokens(slug: string): TokenRecord[] {
      return directory.listTokens(organization(slug).id);
    },

    revokeToken(slug: string, prefix: string): TokenRecord {
      const org = organization(slug);
      const matches = directory
        .findTokensByPrefix(org.id, prefix)
        .filter((token) => token.revokedAt === null);
      if (matches.length === 0) throw new AdminError(`no active token with prefix "${prefix}"`);
      if (matches.length > 1)
        throw new AdminError(`prefix "${prefix}" matches ${matches.length} tokens; give more of it`);
      const token = matches[0] as TokenRecord;
      // Together, for the same reason as a role change (see addUser).
      writeTransaction(stores.db, () => {
        directory.revokeToken(token.id);
        record(org.id, {
          action: 'security.api_token_revoked',
          target: { type: 'api_token', id: token.prefix, name: token.name ?? token.prefix },
          metadata: { owner: token.userEmail },
        });
      });
      return token;
    },

    setPlan(
      slug: string,
      plan: Exclude<Plan, 'unlimited'> | 'unlimited',
      retentionDays?: number,
    ): Organization {
      const org = organization(slug);
      if (retentionDays !== undefined && plan !== 'enterprise') {
        throw new AdminError(`--retention-days applies to the enterprise plan; ${plan} keeps a fixed window`);
      }
      if (
        retentionDays !== undefined &&
        (retentionDays < 1 || retentionDays > ENTERPRISE_MAX_RETENTION_DAYS)
      ) {
        throw new AdminError(`--retention-days must be between 1 and ${ENTERPRISE_MAX_RETENTION_DAYS}`);
      }
      const days = retentionDaysFor(plan, retentionDays);
      writeTransaction(stores.db, () => {
        directory.setPlan(org.id, plan, days);
        record(org.id, {
          action: 'settings.organization_updated',
          target: { type: 'organization', id: org.slug, name: org.name },
          changes: {
            plan: { old: org.plan, new: plan },
            retention_days: { old: org.retentionDays, new: days },
          },
        });
      });
      return organization(slug);
    },

    setAccessLogging(slug: string, enabled: boolean): Organization {
      const org = organization(slug);
      writeTransaction(stores.db, () => {
        directory.setAccessLogging(org.id, enabled);
        if (org.accessLogging !== enabled) {
          record(org.id, {
            action: 'settings.organization_updated',
            target: { type: 'organization', id: org.slug, name: org.name },
            changes: { access_logging: { old: org.accessLogging, new: enabled } },
          });
        }
      });
      return organization(slug);
    },
  };
}

export type Admin = ReturnType<typeof createAdmin>;

/**
 * Opens the database for one admin operation, runs it, and closes the database after, whatever
 * happens. The server may be running on the same file: SQLite's WAL lets both work, and the
 * server sees the change at once. An operator-actionable open failure becomes AdminDatabaseError.
 */
export function withAdmin<T>(file: string, work: (admin: Admin) => T, options: OpenOptions = {}): T {
  let db: ReturnType<typeof openDatabase>;
  try {
    db = openDatabase(file, options);
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && OPERATOR_OPEN_FAILURES.has(code)) {
      throw new AdminDatabaseError((error as Error).message, { cause: error });
    }
    throw error;
  }
  try {
    return work(createAdmin(createStores(db)));
  } finally {
    db.close();
  }
}
