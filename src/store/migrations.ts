import { FTS_TOKEN_CATEGORIES } from '../domain/free-text.js';

/**
 * Numbered schema migrations. Each runs once, in order, inside a transaction, and is recorded
 * in `schema_migrations` so the file itself says which schema it holds. Never edit a migration
 * that has shipped: add the next number.
 */
export interface Migration {
  version: number;
  name: string;
  sql: string;
}

const TIME_ORDERED_INDEXES = [
  ['category', 'category'],
  ['action', 'action'],
  ['actor_id', 'actor_id'],
  ['actor_email', 'actor_email'],
  ['actor_name', 'actor_name'],
  ['target_id', 'target_id'],
  ['target_name', 'target_name'],
  ['ip', 'ip_address'],
  ['team', 'team_id'],
  ['team_name', 'team_name'],
]
  // Each filter column leads, then (ts, seq): an equality filter walks its index already in page order.
  .map(([name, column]) => `CREATE INDEX events_${name}_time ON events (org_id, ${column}, ts, seq);`)
  .join('\n');

// The FTS row for an event: metadata contributes its leaf values, not its keys.
const FTS_VALUES = `new.seq, new.actor_name, new.actor_email, new.action, new.target_name, new.ip_address,
    new.description,
    (SELECT group_concat(value, ' ') FROM json_tree(coalesce(new.metadata, '{}')) WHERE atom IS NOT NULL)`;

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    name: 'organizations, users, tokens, append-only events with full-text index',
    sql: `
CREATE TABLE organizations (
  id INTEGER PRIMARY KEY,
  slug TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL,
  plan TEXT NOT NULL DEFAULT 'unlimited'
    CHECK (plan IN ('unlimited', 'free', 'paid', 'fleet', 'enterprise')),
  retention_days INTEGER,
  access_logging INTEGER NOT NULL DEFAULT 0,
  created_at INTEGER NOT NULL
);

CREATE TABLE teams (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  public_id TEXT NOT NULL UNIQUE,
  name TEXT NOT NULL COLLATE NOCASE,
  UNIQUE (org_id, name)
);

CREATE TABLE users (
  id INTEGER PRIMARY KEY,
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  public_id TEXT NOT NULL UNIQUE,
  email TEXT NOT NULL COLLATE NOCASE,
  name TEXT NOT NULL,
  role TEXT NOT NULL CHECK (role IN ('owner', 'admin', 'member')),
  team_id INTEGER REFERENCES teams (id),
  created_at INTEGER NOT NULL,
  UNIQUE (org_id, email)
);

CREATE TABLE api_tokens (
  id INTEGER PRIMARY KEY,
  user_id INTEGER NOT NULL REFERENCES users (id),
  name TEXT,
  prefix TEXT NOT NULL,
  token_hash TEXT NOT NULL UNIQUE,
  scope TEXT NOT NULL CHECK (scope IN ('read', 'ingest')),
  created_at INTEGER NOT NULL,
  revoked_at INTEGER
);
CREATE INDEX api_tokens_prefix ON api_tokens (prefix);

-- AUTOINCREMENT: a sequence number is never reused, even after the newest rows are purged,
-- so followers resuming from a position can never skip or repeat an event.
CREATE TABLE events (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  id TEXT NOT NULL,
  ts INTEGER NOT NULL,
  received_at INTEGER NOT NULL,
  category TEXT NOT NULL,
  action TEXT NOT NULL,
  description TEXT,
  actor_id TEXT,
  actor_name TEXT COLLATE NOCASE,
  actor_email TEXT COLLATE NOCASE,
  actor_type TEXT,
  target_type TEXT,
  target_id TEXT,
  target_name TEXT COLLATE NOCASE,
  ip_address TEXT,
  user_agent TEXT,
  team_id TEXT,
  team_name TEXT COLLATE NOCASE,
  changes TEXT,
  metadata TEXT,
  UNIQUE (org_id, id)
);
CREATE INDEX events_time ON events (org_id, ts, seq);
${TIME_ORDERED_INDEXES}

-- Only the retention purge and GDPR erasure may change stored events; they switch this on
-- inside their own transaction, so no other connection ever sees it on.
CREATE TABLE maintenance_window (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  open INTEGER NOT NULL
);
INSERT INTO maintenance_window (id, open) VALUES (1, 0);

CREATE TRIGGER events_no_update BEFORE UPDATE ON events
WHEN (SELECT open FROM maintenance_window WHERE id = 1) = 0
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

CREATE TRIGGER events_no_delete BEFORE DELETE ON events
WHEN (SELECT open FROM maintenance_window WHERE id = 1) = 0
BEGIN SELECT RAISE(ABORT, 'audit events are append-only'); END;

-- Contentless: the index holds tokens, not a second copy of the text (erasure must leave none).
CREATE VIRTUAL TABLE events_fts USING fts5 (
  actor_name, actor_email, action, target_name, ip_address, description, metadata_values,
  content = '', contentless_delete = 1, tokenize = 'unicode61 remove_diacritics 2'
);

CREATE TRIGGER events_fts_insert AFTER INSERT ON events BEGIN
  INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
    metadata_values) VALUES (${FTS_VALUES});
END;

CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
END;

CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
  INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
    metadata_values) VALUES (${FTS_VALUES});
END;
`,
  },
  {
    version: 2,
    name: 'server settings with the pseudonym secret; FTS secure-delete for GDPR erasure',
    sql: `
CREATE TABLE server_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The key for GDPR pseudonyms: made once per database, never leaves it.
INSERT INTO server_settings (key, value) VALUES ('pseudonym_secret', lower(hex(randomblob(32))));
-- Which pseudonym an erased person got, keyed by keyed hashes of their identifiers (never the
-- identifiers themselves), so a later request by any of their ids or emails finds the same one.
CREATE TABLE gdpr_pseudonyms (identity_hmac TEXT PRIMARY KEY, pseudonym TEXT NOT NULL);
-- Deleted index entries are removed at once instead of lingering in segments until a merge.
INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 1);
`,
  },
  {
    version: 3,
    name: 'webhooks with a delivery outbox filled by a trigger in the event transaction',
    sql: `
CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  url TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('json', 'slack', 'discord', 'teams')),
  -- Kept in the clear: signing needs it. The database file is readable by its owner only.
  secret TEXT NOT NULL,
  description TEXT,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL,
  deleted_at INTEGER
);
CREATE INDEX webhooks_live ON webhooks (org_id) WHERE deleted_at IS NULL;

-- 'security.*' is stored as the prefix 'security.' with is_prefix = 1; '*' alone is the prefix ''.
CREATE TABLE webhook_patterns (
  webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
  pattern TEXT NOT NULL,
  is_prefix INTEGER NOT NULL CHECK (is_prefix IN (0, 1)),
  -- The order the caller gave them in, so answers show them back the same way.
  position INTEGER NOT NULL,
  PRIMARY KEY (webhook_id, pattern, is_prefix)
) WITHOUT ROWID;

-- No rows: any category.
CREATE TABLE webhook_categories (
  webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
  category TEXT NOT NULL,
  PRIMARY KEY (webhook_id, category)
) WITHOUT ROWID;

-- The outbox. A purged event takes its deliveries with it.
CREATE TABLE webhook_deliveries (
  id INTEGER PRIMARY KEY,
  webhook_id INTEGER NOT NULL REFERENCES webhooks (id),
  event_seq INTEGER NOT NULL REFERENCES events (seq) ON DELETE CASCADE,
  status TEXT NOT NULL DEFAULT 'pending' CHECK (status IN ('pending', 'delivered', 'failed')),
  attempts INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER,
  last_status INTEGER,
  last_error TEXT,
  created_at INTEGER NOT NULL,
  delivered_at INTEGER,
  UNIQUE (webhook_id, event_seq)
);
CREATE INDEX webhook_deliveries_due ON webhook_deliveries (status, next_attempt_at);
CREATE INDEX webhook_deliveries_webhook_due ON webhook_deliveries (webhook_id, status, next_attempt_at);
CREATE INDEX webhook_deliveries_event ON webhook_deliveries (event_seq);

-- Written in the event's own transaction, whichever process wrote the event: an acknowledged
-- event never loses its alert. Detailed-only access events go only to a webhook that names
-- them: the access category, an exact action, or a prefix that starts with 'access.'.
CREATE TRIGGER events_webhook_outbox AFTER INSERT ON events BEGIN
  INSERT INTO webhook_deliveries (webhook_id, event_seq, next_attempt_at, created_at)
  SELECT w.id, new.seq, new.received_at, new.received_at
  FROM webhooks w
  WHERE w.org_id = new.org_id AND w.deleted_at IS NULL
    AND (NOT EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id)
      OR EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id AND c.category = new.category))
    AND EXISTS (
      SELECT 1 FROM webhook_patterns p
      WHERE p.webhook_id = w.id
        AND CASE WHEN p.is_prefix = 0 THEN p.pattern = new.action
          ELSE substr(new.action, 1, length(p.pattern)) = p.pattern
            AND (new.category <> 'access' OR substr(p.pattern, 1, 7) = 'access.'
              OR EXISTS (SELECT 1 FROM webhook_categories c WHERE c.webhook_id = w.id AND c.category = 'access'))
        END
    );
END;
`,
  },
  {
    version: 4,
    name: 'full-text rows written once per ingest batch instead of by a per-row trigger',
    // FTS5 inserts interleaved with the events' own inserts cost about three times as much as
    // the same inserts made after the batch (bench/bench.mjs); the event store now writes them,
    // in the same transaction. Update and delete still go through the triggers.
    sql: `
DROP TRIGGER events_fts_insert;
`,
  },
  {
    version: 5,
    name: 'webhook deliveries queued once per ingest batch instead of by a per-row trigger',
    // The AFTER INSERT trigger cost about 50 µs per event inserted even with no webhook at all
    // (a third of the insert); the event store now queues a batch's deliveries in one statement
    // in the same transaction (src/store/webhook-outbox.ts).
    sql: `
DROP TRIGGER events_webhook_outbox;
`,
  },
  {
    version: 7,
    name: 'a key for opaque, organization-scoped stream positions',
    // SSE ids were the global sequence, so any reader saw every organization's volume; they are
    // now encrypted per organization (src/server/stream-position.ts). A client may still hold a
    // number from before: only numbers up to the last event of then are honoured.
    sql: `
INSERT INTO server_settings (key, value) VALUES ('stream_position_key', lower(hex(randomblob(32))));
INSERT INTO server_settings (key, value)
  SELECT 'legacy_stream_position_limit', coalesce(max(seq), 0) FROM events;
`,
  },
  {
    version: 13,
    name: 'emoji and other symbols are words to full-text search',
    // unicode61 split text on symbols, so a search for 🚀 had nothing to look up. The index is
    // contentless, so it is rebuilt from the events; secure_delete zeroes the old pages.
    sql: `
DROP TRIGGER events_fts_delete;
DROP TRIGGER events_fts_update;
DROP TABLE events_fts;
CREATE VIRTUAL TABLE events_fts USING fts5 (
  actor_name, actor_email, action, target_name, ip_address, description, metadata_values,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2 categories ''${FTS_TOKEN_CATEGORIES}'''
);
INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 1);
INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
    metadata_values)
  SELECT seq, actor_name, actor_email, action, target_name, ip_address, description,
    (SELECT group_concat(value, ' ') FROM json_tree(coalesce(metadata, '{}')) WHERE atom IS NOT NULL)
  FROM events ORDER BY seq;
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
END;
CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
  INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
    metadata_values) VALUES (${FTS_VALUES});
END;
`,
  },
];
