import { randomBytes } from 'node:crypto';
import type { Plan } from '../domain/plans.js';
import { generateToken, hashToken, tokensEqualHash } from '../domain/token.js';
import { tokenPrefix } from '../domain/token-text.js';
import type { Db } from './database.js';
import { writeTransaction } from './transaction.js';

export const ROLES = ['owner', 'admin', 'member'] as const;
export type Role = (typeof ROLES)[number];
export const TOKEN_SCOPES = ['read', 'ingest'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface Organization {
  id: number;
  slug: string;
  name: string;
  plan: Plan;
  retentionDays: number | null;
  accessLogging: boolean;
}

export interface User {
  id: number;
  orgId: number;
  publicId: string;
  email: string;
  name: string;
  role: Role;
  team: { publicId: string; name: string } | null;
}

export interface TokenRecord {
  id: number;
  userId: number;
  userEmail: string;
  name: string | null;
  prefix: string;
  scope: TokenScope;
  createdAt: number;
  revokedAt: number | null;
}

export type Authentication =
  | { ok: true; token: TokenRecord; user: User; organization: Organization }
  | { ok: false; reason: 'unknown token' | 'revoked token' };

/** An organization's row on either engine (SQLite's boolean is 0 or 1). */
export interface OrganizationRow {
  id: number;
  slug: string;
  name: string;
  plan: Plan;
  retention_days: number | null;
  access_logging: number | boolean;
}

/** A user as USER_SELECT reads it, on either engine. */
export interface UserRow {
  id: number;
  org_id: number;
  public_id: string;
  email: string;
  name: string;
  role: Role;
  team_public_id: string | null;
  team_name: string | null;
}

/** A token as TOKEN_SELECT reads it, on either engine. */
export interface TokenRow {
  id: number;
  user_id: number;
  user_email: string;
  name: string | null;
  prefix: string;
  token_hash: string;
  scope: TokenScope;
  created_at: number;
  revoked_at: number | null;
}

/** The same SQL on SQLite and PostgreSQL (pg/directory.ts adds its own WHERE clauses). */
export const USER_SELECT = `SELECT u.id, u.org_id, u.public_id, u.email, u.name, u.role,
  t.public_id AS team_public_id, t.name AS team_name FROM users u LEFT JOIN teams t ON t.id = u.team_id`;
export const TOKEN_SELECT = `SELECT k.id, k.user_id, u.email AS user_email, k.name, k.prefix, k.token_hash, k.scope,
  k.created_at, k.revoked_at FROM api_tokens k JOIN users u ON u.id = k.user_id`;

export type DirectoryStore = ReturnType<typeof createDirectoryStore>;

/** Organizations, teams, users and API tokens of the bundled server. */
export function createDirectoryStore(db: Db, now: () => number = Date.now) {
  const orgBySlug = db.prepare<[string], OrganizationRow>('SELECT * FROM organizations WHERE slug = ?');
  const orgById = db.prepare<[number], OrganizationRow>('SELECT * FROM organizations WHERE id = ?');
  const insertOrg = db.prepare('INSERT INTO organizations (slug, name, created_at) VALUES (?, ?, ?)');
  const updatePlan = db.prepare('UPDATE organizations SET plan = ?, retention_days = ? WHERE id = ?');
  const updateAccessLogging = db.prepare('UPDATE organizations SET access_logging = ? WHERE id = ?');
  const allOrgs = db.prepare<[], OrganizationRow>('SELECT * FROM organizations ORDER BY id');
  const teamByName = db.prepare<[number, string], { id: number }>(
    'SELECT id FROM teams WHERE org_id = ? AND name = ?',
  );
  const insertTeam = db.prepare('INSERT INTO teams (org_id, public_id, name) VALUES (?, ?, ?)');
  const userByEmail = db.prepare<[number, string], UserRow>(
    `${USER_SELECT} WHERE u.org_id = ? AND u.email = ?`,
  );
  const userById = db.prepare<[number], UserRow>(`${USER_SELECT} WHERE u.id = ?`);
  const insertUser = db.prepare(
    'INSERT INTO users (org_id, public_id, email, name, role, team_id, created_at) VALUES (?, ?, ?, ?, ?, ?, ?)',
  );
  const updateUser = db.prepare('UPDATE users SET role = ?, team_id = ?, name = ? WHERE id = ?');
  const countUsers = db.prepare<[number], number>('SELECT count(*) FROM users WHERE org_id = ?').pluck();
  const insertToken = db.prepare(
    'INSERT INTO api_tokens (user_id, name, prefix, token_hash, scope, created_at) VALUES (?, ?, ?, ?, ?, ?)',
  );
  const tokensByPrefix = db.prepare<[string], TokenRow>(`${TOKEN_SELECT} WHERE k.prefix = ?`);
  const tokensOfOrg = db.prepare<[number], TokenRow>(`${TOKEN_SELECT} WHERE u.org_id = ? ORDER BY k.id`);
  const tokensLike = db.prepare<[{ orgId: number; prefix: string }], TokenRow>(
    `${TOKEN_SELECT} WHERE u.org_id = @orgId AND substr(k.prefix, 1, length(@prefix)) = @prefix`,
  );
  const tokenById = db.prepare<[number], TokenRow>(`${TOKEN_SELECT} WHERE k.id = ?`);
  const revoke = db.prepare('UPDATE api_tokens SET revoked_at = ? WHERE id = ?');

  const toUser = (row: UserRow): User => ({
    id: row.id,
    orgId: row.org_id,
    publicId: row.public_id,
    email: row.email,
    name: row.name,
    role: row.role,
    team: row.team_public_id ? { publicId: row.team_public_id, name: row.team_name ?? '' } : null,
  });

  return {
    findOrganization(slug: string): Organization | undefined {
      const row = orgBySlug.get(slug);
      return row ? toOrganization(row) : undefined;
    },

    organizationById(id: number): Organization | undefined {
      const row = orgById.get(id);
      return row ? toOrganization(row) : undefined;
    },

    listOrganizations(): Organization[] {
      return allOrgs.all().map(toOrganization);
    },

    /** The organization with this slug, created on first use. */
    ensureOrganization(slug: string): { organization: Organization; created: boolean } {
      return writeTransaction(db, () => {
        const existing = orgBySlug.get(slug);
        if (existing) return { organization: toOrganization(existing), created: false };
        insertOrg.run(slug, slug, now());
        return { organization: toOrganization(orgBySlug.get(slug) as OrganizationRow), created: true };
      });
    },

    setPlan(orgId: number, plan: Plan, retentionDays: number | null): void {
      updatePlan.run(plan, retentionDays, orgId);
    },

    setAccessLogging(orgId: number, enabled: boolean): void {
      updateAccessLogging.run(enabled ? 1 : 0, orgId);
    },

    countUsers(orgId: number): number {
      return countUsers.get(orgId) as number;
    },

    findUserByEmail(orgId: number, email: string): User | undefined {
      const row = userByEmail.get(orgId, email);
      return row ? toUser(row) : undefined;
    },

    /** Adds the user, or updates role, team and name of the one with that email. */
    upsertUser(
      orgId: number,
      fields: { email: string; name: string | undefined; role: Role; teamName: string | undefined },
    ): { user: User; previous: User | undefined } {
      return writeTransaction(db, () => {
        const teamId = fields.teamName === undefined ? null : ensureTeam(orgId, fields.teamName);
        const previousRow = userByEmail.get(orgId, fields.email);
        const previous = previousRow ? toUser(previousRow) : undefined;
        if (previous) {
          updateUser.run(fields.role, teamId, fields.name ?? previous.name, previous.id);
        } else {
          const name = fields.name ?? fields.email.split('@')[0] ?? fields.email;
          insertUser.run(orgId, `user_${randomHex(6)}`, fields.email, name, fields.role, teamId, now());
        }
        return { user: toUser(userByEmail.get(orgId, fields.email) as UserRow), previous };
      });
    },

    createToken(userId: number, scope: TokenScope, name?: string): { token: string; record: TokenRecord } {
      const token = generateToken();
      const id = Number(
        insertToken.run(userId, name ?? null, tokenPrefix(token), hashToken(token), scope, now())
          .lastInsertRowid,
      );
      const record = tokensOfUser(id);
      return { token, record };
    },

    listTokens(orgId: number): TokenRecord[] {
      return tokensOfOrg.all(orgId).map(toTokenRecord);
    },

    /** Tokens of the organization whose prefix starts with `prefix` (a prefix of the shown prefix works). */
    findTokensByPrefix(orgId: number, prefix: string): TokenRecord[] {
      return tokensLike.all({ orgId, prefix }).map(toTokenRecord);
    },

    revokeToken(tokenId: number): void {
      revoke.run(now(), tokenId);
    },

    /** Finds the token by its public prefix, then compares the hash in constant time. */
    authenticate(token: string): Authentication {
      const match = tokensByPrefix
        .all(tokenPrefix(token))
        .find((row) => tokensEqualHash(token, row.token_hash));
      if (!match) return { ok: false, reason: 'unknown token' };
      if (match.revoked_at !== null) return { ok: false, reason: 'revoked token' };
      return standingOf(match);
    },

    /** The standing now of a token authenticated earlier: a long-lived stream re-checks it. */
    authenticateById(tokenId: number): Authentication {
      const row = tokenById.get(tokenId);
      if (!row) return { ok: false, reason: 'unknown token' };
      if (row.revoked_at !== null) return { ok: false, reason: 'revoked token' };
      return standingOf(row);
    },
  };

  function standingOf(row: TokenRow): Authentication {
    const user = toUser(userById.get(row.user_id) as UserRow);
    const organization = toOrganization(orgById.get(user.orgId) as OrganizationRow);
    return { ok: true, token: toTokenRecord(row), user, organization };
  }

  function ensureTeam(orgId: number, name: string): number {
    const existing = teamByName.get(orgId, name);
    if (existing) return existing.id;
    return Number(insertTeam.run(orgId, `team_${randomHex(4)}`, name).lastInsertRowid);
  }

  function tokensOfUser(tokenId: number): TokenRecord {
    return toTokenRecord(
      db.prepare<[number], TokenRow>(`${TOKEN_SELECT} WHERE k.id = ?`).get(tokenId) as TokenRow,
    );
  }
}

/** Organizations as either engine reads them; `text` as for tokenRecordReader. */
export function organizationReader(text: (stored: string) => string) {
  return (row: OrganizationRow): Organization => ({
    id: row.id,
    slug: text(row.slug),
    name: text(row.name),
    plan: row.plan,
    retentionDays: row.retention_days,
    accessLogging: Boolean(row.access_logging),
  });
}

const toOrganization = organizationReader((stored) => stored);

/**
 * Tokens as TOKEN_SELECT reads them, on either engine; `text` gives back text the engine stores
 * otherwise (PostgreSQL escapes what it cannot hold, pg/text-escape.ts).
 */
export function tokenRecordReader(text: (stored: string) => string) {
  return (row: TokenRow): TokenRecord => ({
    id: row.id,
    userId: row.user_id,
    userEmail: text(row.user_email),
    name: row.name === null ? null : text(row.name),
    prefix: row.prefix,
    scope: row.scope,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
  });
}

const toTokenRecord = tokenRecordReader((stored) => stored);

/** The random part of a public id (`user_…`, `team_…`), `bytes` of it as hex. */
export function randomHex(bytes: number): string {
  return randomBytes(bytes).toString('hex');
}
