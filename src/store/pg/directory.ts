import { generateToken, hashToken, tokensEqualHash } from '../../domain/token.js';
import { tokenPrefix } from '../../domain/token-text.js';
import {
  type Authentication,
  type DirectoryStore,
  type OrganizationRow,
  organizationReader,
  randomHex,
  TOKEN_SELECT,
  type TokenRow,
  tokenRecordReader,
  USER_SELECT,
  type User,
  type UserRow,
} from '../directory-store.js';
import type { Async } from '../port.js';
import type { Queryable } from './pool.js';
import { unescapeText as sent, escapeText as stored } from './text-escape.js';

/**
 * How the directory runs a few statements as one: in a transaction of its own (on the pool), or
 * within the caller's open one (a write of the store port: a savepoint, as SQLite's nested
 * writeTransaction).
 */
export type Transact = <T>(work: (db: Queryable) => Promise<T>) => Promise<T>;

const toTokenRecord = tokenRecordReader(sent);
const toOrganization = organizationReader(sent);

const ORG_SELECT = 'SELECT id, slug, name, plan, retention_days, access_logging FROM organizations';
const USER_BY_EMAIL = `${USER_SELECT} WHERE u.org_id = $1 AND ascii_fold(u.email) = ascii_fold($2)`;

/**
 * src/store/directory-store.ts on PostgreSQL: organizations, teams, users and API tokens, the
 * same answers for the same calls. Text goes in and out through text-escape.ts, as the events'
 * does: PostgreSQL's text cannot hold U+0000, which SQLite stores. `db` runs single statements (the pool, or the client of a
 * read or write); `transact` groups the statements of ensureOrganization and upsertUser.
 */
export function createPgDirectory(
  db: Queryable,
  transact: Transact,
  now: () => number,
): Async<DirectoryStore> {
  const one = async <R>(q: Queryable, sql: string, params: unknown[]): Promise<R | undefined> =>
    (await q.query(sql, params)).rows[0] as R | undefined;
  const orgBySlug = (q: Queryable, slug: string) =>
    one<OrganizationRow>(q, `${ORG_SELECT} WHERE slug = $1`, [stored(slug)]);
  const orgById = (q: Queryable, id: number) => one<OrganizationRow>(q, `${ORG_SELECT} WHERE id = $1`, [id]);
  const userByEmail = (q: Queryable, orgId: number, email: string) =>
    one<UserRow>(q, USER_BY_EMAIL, [orgId, stored(email)]);
  const tokens = async (sql: string, params: unknown[]): Promise<TokenRow[]> =>
    (await db.query<TokenRow>(sql, params)).rows;

  async function standingOf(row: TokenRow): Promise<Authentication> {
    const user = toUser((await one<UserRow>(db, `${USER_SELECT} WHERE u.id = $1`, [row.user_id])) as UserRow);
    const organization = toOrganization((await orgById(db, user.orgId)) as OrganizationRow);
    return { ok: true, token: toTokenRecord(row), user, organization };
  }

  async function ensureTeam(q: Queryable, orgId: number, name: string): Promise<number> {
    const existing = await one<{ id: number }>(
      q,
      'SELECT id FROM teams WHERE org_id = $1 AND ascii_fold(name) = ascii_fold($2)',
      [orgId, stored(name)],
    );
    if (existing) return existing.id;
    // Another request may create the same team between the lookup and the INSERT: then the
    // INSERT waits for it, does nothing, and the team it made is the one.
    const made = await one<{ id: number }>(
      q,
      `INSERT INTO teams (org_id, public_id, name) VALUES ($1, $2, $3)
       ON CONFLICT (org_id, ascii_fold(name)) DO NOTHING RETURNING id`,
      [orgId, `team_${randomHex(4)}`, stored(name)],
    );
    if (made) return made.id;
    return (
      (await one<{ id: number }>(
        q,
        'SELECT id FROM teams WHERE org_id = $1 AND ascii_fold(name) = ascii_fold($2)',
        [orgId, stored(name)],
      )) as { id: number }
    ).id;
  }

  return {
    async findOrganization(slug) {
      const row = await orgBySlug(db, slug);
      return row && toOrganization(row);
    },

    async organizationById(id) {
      const row = await orgById(db, id);
      return row && toOrganization(row);
    },

    async listOrganizations() {
      return (await db.query<OrganizationRow>(`${ORG_SELECT} ORDER BY id`)).rows.map(toOrganization);
    },

    /** Another instance creating the same slug at the same moment: one row, the other finds it. */
    ensureOrganization: (slug) =>
      transact(async (q) => {
        // Looked up first: an INSERT that meets the slug would still spend an identity value.
        const existing = await orgBySlug(q, slug);
        if (existing) return { organization: toOrganization(existing), created: false };
        const inserted = await one<OrganizationRow>(
          q,
          `INSERT INTO organizations (slug, name, created_at) VALUES ($1, $1, $2)
           ON CONFLICT (slug) DO NOTHING RETURNING id, slug, name, plan, retention_days, access_logging`,
          [stored(slug), now()],
        );
        if (inserted) return { organization: toOrganization(inserted), created: true };
        return {
          organization: toOrganization((await orgBySlug(q, slug)) as OrganizationRow),
          created: false,
        };
      }),

    async setPlan(orgId, plan, retentionDays) {
      await db.query('UPDATE organizations SET plan = $1, retention_days = $2 WHERE id = $3', [
        plan,
        retentionDays,
        orgId,
      ]);
    },

    async setAccessLogging(orgId, enabled) {
      await db.query('UPDATE organizations SET access_logging = $1 WHERE id = $2', [enabled, orgId]);
    },

    async countUsers(orgId) {
      const row = await one<{ n: number }>(db, 'SELECT count(*)::bigint AS n FROM users WHERE org_id = $1', [
        orgId,
      ]);
      return row?.n ?? 0;
    },

    async findUserByEmail(orgId, email) {
      const row = await userByEmail(db, orgId, email);
      return row && toUser(row);
    },

    upsertUser: (orgId, fields) =>
      transact(async (q) => {
        const teamId = fields.teamName === undefined ? null : await ensureTeam(q, orgId, fields.teamName);
        let previousRow = await userByEmail(q, orgId, fields.email);
        if (!previousRow) {
          const name = fields.name ?? fields.email.split('@')[0] ?? fields.email;
          const inserted = await one<{ id: number }>(
            q,
            `INSERT INTO users (org_id, public_id, email, name, role, team_id, created_at)
             VALUES ($1, $2, $3, $4, $5, $6, $7)
             ON CONFLICT (org_id, ascii_fold(email)) DO NOTHING RETURNING id`,
            [orgId, `user_${randomHex(6)}`, stored(fields.email), stored(name), fields.role, teamId, now()],
          );
          // Another request created the user between the lookup and the INSERT (which waited
          // for it and did nothing): this one updates that user, as if it had come second.
          if (!inserted) previousRow = await userByEmail(q, orgId, fields.email);
        }
        const previous = previousRow && toUser(previousRow);
        if (previous) {
          await q.query('UPDATE users SET role = $1, team_id = $2, name = $3 WHERE id = $4', [
            fields.role,
            teamId,
            stored(fields.name ?? previous.name),
            previous.id,
          ]);
        }
        return { user: toUser((await userByEmail(q, orgId, fields.email)) as UserRow), previous };
      }),

    async createToken(userId, scope, name) {
      const token = generateToken();
      // The token's organization is its user's (api_tokens carries org_id on PostgreSQL).
      const made = await one<{ id: number }>(
        db,
        `INSERT INTO api_tokens (org_id, user_id, name, prefix, token_hash, scope, created_at)
         SELECT org_id, id, $2, $3, $4, $5, $6 FROM users WHERE id = $1 RETURNING id`,
        [
          userId,
          name === undefined ? null : stored(name),
          tokenPrefix(token),
          hashToken(token),
          scope,
          now(),
        ],
      );
      if (!made) throw new Error(`no user ${userId} to make a token for`);
      const [row] = await tokens(`${TOKEN_SELECT} WHERE k.id = $1`, [made.id]);
      return { token, record: toTokenRecord(row as TokenRow) };
    },

    async listTokens(orgId) {
      return (await tokens(`${TOKEN_SELECT} WHERE u.org_id = $1 ORDER BY k.id`, [orgId])).map(toTokenRecord);
    },

    async findTokensByPrefix(orgId, prefix) {
      const rows = await tokens(
        `${TOKEN_SELECT} WHERE u.org_id = $1 AND left(k.prefix, length($2)) = $2 ORDER BY k.id`,
        [orgId, stored(prefix)],
      );
      return rows.map(toTokenRecord);
    },

    async revokeToken(tokenId) {
      await db.query('UPDATE api_tokens SET revoked_at = $1 WHERE id = $2', [now(), tokenId]);
    },

    /** Finds the token by its public prefix, then compares the hash in constant time. */
    async authenticate(token) {
      const match = (await tokens(`${TOKEN_SELECT} WHERE k.prefix = $1`, [stored(tokenPrefix(token))])).find(
        (row) => tokensEqualHash(token, row.token_hash),
      );
      if (!match) return { ok: false, reason: 'unknown token' };
      if (match.revoked_at !== null) return { ok: false, reason: 'revoked token' };
      return standingOf(match);
    },

    async authenticateById(tokenId) {
      const [row] = await tokens(`${TOKEN_SELECT} WHERE k.id = $1`, [tokenId]);
      if (!row) return { ok: false, reason: 'unknown token' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked token' };
      return standingOf(row);
    },
  };
}

function toUser(row: UserRow): User {
  return {
    id: row.id,
    orgId: row.org_id,
    publicId: row.public_id,
    email: sent(row.email),
    name: sent(row.name),
    role: row.role,
    team: row.team_public_id ? { publicId: row.team_public_id, name: sent(row.team_name ?? '') } : null,
  };
}
