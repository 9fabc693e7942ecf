import type { Actor, EventInput } from '../domain/event.js';
import { ENTERPRISE_MAX_RETENTION_DAYS, type Plan, retentionDaysFor } from '../domain/plans.js';
import type { NoteSigner } from '../domain/signed-note.js';
import { shellQuoteForDisplay } from '../format/shell-quote.js';
import { type OpenOptions, openDatabase } from '../store/database.js';
import type { DatabaseLocation } from '../store/database-location.js';
import type { Organization, Role, TokenRecord, TokenScope, User } from '../store/directory-store.js';
import type { PgEngine } from '../store/pg/engine.js';
import type { SecretsKeySource } from '../store/pg/server-keys.js';
import type { Engine, WriteScope } from '../store/port.js';
import { sqliteEngineOf } from '../store/sqlite-engine.js';
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
export function createAdmin(engine: Engine, actor: Actor = localAdministrator()) {
  const { directory } = engine.stores;

  const organization = async (slug: string): Promise<Organization> => {
    const found = await directory.findOrganization(slug);
    if (!found) throw new AdminError(`no organization "${slug}" in this database`);
    return found;
  };

  const record = (tx: WriteScope, orgId: number, input: EventInput) =>
    tx.recorder.record(orgId, [{ actor, ...input }]);

  async function addOrUpdate(
    tx: WriteScope,
    orgId: number,
    fields: { email: string; name?: string; role: Role; team?: string },
  ): Promise<{ user: User; created: boolean }> {
    const { user, previous } = await tx.directory.upsertUser(orgId, {
      email: fields.email,
      name: fields.name,
      role: fields.role,
      teamName: fields.team,
    });
    const target = { type: 'user', id: user.publicId, name: user.email };
    const context = { team_id: user.team?.publicId, team_name: user.team?.name };
    if (!previous) {
      await record(tx, orgId, {
        action: 'team.member_added',
        target,
        context,
        metadata: { role: user.role },
      });
    } else if (previous.role !== user.role || previous.team?.publicId !== user.team?.publicId) {
      await record(tx, orgId, {
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

    async addUser(
      slug: string,
      fields: { email: string; name?: string; role: Role; team?: string },
    ): Promise<{ user: User; created: boolean }> {
      if (!/^[^\s@]+@[^\s@]+$/.test(fields.email))
        throw new AdminError(`"${fields.email}" is not an email address`);
      const org = (await directory.ensureOrganization(slug)).organization;
      // The change and its event commit together: a live stream that sees the event re-checks
      // its access before it is sent anything written after the change (stream-registry).
      return engine.write((tx) => addOrUpdate(tx, org.id, fields));
    },

    async createToken(
      slug: string,
      email: string,
      scope: TokenScope,
      name?: string,
    ): Promise<{ token: string; record: TokenRecord }> {
      const org = await organization(slug);
      const user = await directory.findUserByEmail(org.id, email);
      if (!user)
        throw new AdminError(
          `no user "${email}" in organization "${slug}"; add one with: audit server user add --email ${shellQuoteForDisplay(email)}`,
        );
      return engine.write(async (tx) => {
        const created = await tx.directory.createToken(user.id, scope, name);
        await record(tx, org.id, {
          action: 'security.api_token_created',
          target: { type: 'api_token', id: created.record.prefix, name: name ?? created.record.prefix },
          metadata: { scope, owner: user.email },
        });
        return created;
      });
    },

    async listTokens(slug: string): Promise<TokenRecord[]> {
      return directory.listTokens((await organization(slug)).id);
    },

    async revokeToken(slug: string, prefix: string): Promise<TokenRecord> {
      const org = await organization(slug);
      const matches = (await directory.findTokensByPrefix(org.id, prefix)).filter(
        (token) => token.revokedAt === null,
      );
      if (matches.length === 0) throw new AdminError(`no active token with prefix "${prefix}"`);
      if (matches.length > 1)
        throw new AdminError(`prefix "${prefix}" matches ${matches.length} tokens; give more of it`);
      const token = matches[0] as TokenRecord;
      // Together, for the same reason as a role change (see addUser).
      await engine.write(async (tx) => {
        await tx.directory.revokeToken(token.id);
        await record(tx, org.id, {
          action: 'security.api_token_revoked',
          target: { type: 'api_token', id: token.prefix, name: token.name ?? token.prefix },
          metadata: { owner: token.userEmail },
        });
      });
      return token;
    },

    async setPlan(slug: string, plan: Plan, retentionDays?: number): Promise<Organization> {
      const org = await organization(slug);
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
      await engine.write(async (tx) => {
        await tx.directory.setPlan(org.id, plan, days);
        await record(tx, org.id, {
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

    async setAccessLogging(slug: string, enabled: boolean): Promise<Organization> {
      const org = await organization(slug);
      await engine.write(async (tx) => {
        await tx.directory.setAccessLogging(org.id, enabled);
        if (org.accessLogging !== enabled) {
          await record(tx, org.id, {
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
 * happens. The server may be running on the same database: SQLite's WAL (or PostgreSQL) lets
 * both work, and the server sees the change at once. An operator-actionable open failure (a
 * secrets key, a schema, a database that cannot be reached) becomes AdminDatabaseError.
 */
export async function withAdmin<T>(
  location: DatabaseLocation,
  work: (admin: Admin) => T | Promise<T>,
  options: OpenOptions = {},
): Promise<T> {
  const engine =
    location.kind === 'sqlite' ? openSqlite(location.file, options) : await openPostgres(location.url);
  try {
    return await work(createAdmin(engine));
  } finally {
    await engine.close();
  }
}

function openSqlite(file: string, options: OpenOptions): Engine {
  try {
    return sqliteEngineOf(openDatabase(file, options));
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (code && OPERATOR_OPEN_FAILURES.has(code)) {
      throw new AdminDatabaseError((error as Error).message, { cause: error });
    }
    throw error;
  }
}

/**
 * The checkpoint signing key every instance on a PostgreSQL database shares (sealed in it under
 * the secrets key file): made now, with the database's other keys, if it has none yet, as the
 * first `audit server start` would. `created` says whether this call made it.
 */
export async function sharedLogKey(
  url: string,
  secretsKeyFile: string,
): Promise<{ signer: NoteSigner; created: boolean }> {
  const { LOG_KEY_SETTING, readPgLogKey } = await import('../store/pg/server-keys.js');
  const probe = await openPostgres(url);
  let existed: boolean;
  try {
    existed = (await probe.stores.settings.read(LOG_KEY_SETTING)) !== undefined;
  } finally {
    await probe.close();
  }
  const engine = await openPostgres(url, { file: secretsKeyFile });
  try {
    return { signer: await readPgLogKey(engine.pool, engine.secretsKey as Buffer), created: !existed };
  } finally {
    await engine.close();
  }
}

/** PostgreSQL's driver is loaded only when a command names such a database. */
async function openPostgres(url: string, secretsKey?: SecretsKeySource): Promise<PgEngine> {
  const [{ openPgEngine }, { describeOpenFailure }] = await Promise.all([
    import('../store/pg/engine.js'),
    import('../store/pg/open-failure.js'),
  ]);
  try {
    return await openPgEngine(url, secretsKey === undefined ? {} : { secretsKey });
  } catch (error) {
    const reason = describeOpenFailure(error, url);
    if (reason) throw new AdminDatabaseError(reason, { cause: error });
    const code = (error as { code?: string }).code;
    if (code && OPERATOR_OPEN_FAILURES.has(code)) {
      throw new AdminDatabaseError((error as Error).message, { cause: error });
    }
    throw error;
  }
}
