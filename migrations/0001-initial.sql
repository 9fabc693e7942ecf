-- The schema of the audit-log server's SQLite file. Applied once, in one transaction, and
-- recorded with this file's SHA-256 in schema_migrations: never edit it, add the next number.

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
-- Each filter column leads, then (ts, seq): an equality filter walks its index already in page order.
CREATE INDEX events_category_time ON events (org_id, category, ts, seq);
CREATE INDEX events_action_time ON events (org_id, action, ts, seq);
CREATE INDEX events_actor_id_time ON events (org_id, actor_id, ts, seq);
CREATE INDEX events_actor_email_time ON events (org_id, actor_email, ts, seq);
CREATE INDEX events_actor_name_time ON events (org_id, actor_name, ts, seq);
CREATE INDEX events_target_id_time ON events (org_id, target_id, ts, seq);
CREATE INDEX events_target_name_time ON events (org_id, target_name, ts, seq);
CREATE INDEX events_ip_time ON events (org_id, ip_address, ts, seq);
CREATE INDEX events_team_time ON events (org_id, team_id, ts, seq);
CREATE INDEX events_team_name_time ON events (org_id, team_name, ts, seq);

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
-- The token categories are FTS_TOKEN_CATEGORIES of src/domain/free-text.ts, whose in-memory
-- matcher must split text the same way (a test holds the two equal): letters, digits, private
-- use, and symbols such as emoji.
CREATE VIRTUAL TABLE events_fts USING fts5 (
  actor_name, actor_email, action, target_name, ip_address, description, metadata_values,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 2 categories ''L* N* Co So'''
);
-- Deleted index entries are removed at once instead of lingering in segments until a merge.
INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 1);

-- The event store writes an ingest batch's index rows itself, after the batch, in the same
-- transaction: interleaved with the events' own inserts they cost about three times as much.
-- Updates (erasure) and deletes (the purge) reach the index through these triggers. Metadata
-- contributes its leaf values, not its keys.
CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
END;
CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
  INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
    metadata_values) VALUES (new.seq, new.actor_name, new.actor_email, new.action, new.target_name, new.ip_address,
    new.description,
    (SELECT group_concat(value, ' ') FROM json_tree(coalesce(new.metadata, '{}')) WHERE atom IS NOT NULL));
END;

CREATE TABLE server_settings (key TEXT PRIMARY KEY, value TEXT NOT NULL);
-- The key for GDPR pseudonyms: made once per database, never leaves it.
INSERT INTO server_settings (key, value) VALUES ('pseudonym_secret', lower(hex(randomblob(32))));
-- The key for opaque, organization-scoped stream positions (src/server/stream-position.ts).
INSERT INTO server_settings (key, value) VALUES ('stream_position_key', lower(hex(randomblob(32))));
-- Plain sequence numbers up to this one are still honoured as stream positions: none here.
INSERT INTO server_settings (key, value) VALUES ('legacy_stream_position_limit', '0');

-- Which pseudonym an erased person got, keyed by keyed hashes of their identifiers (never the
-- identifiers themselves), so a later request by any of their ids or emails finds the same one.
CREATE TABLE gdpr_pseudonyms (identity_hmac TEXT PRIMARY KEY, pseudonym TEXT NOT NULL);

CREATE TABLE webhooks (
  id INTEGER PRIMARY KEY,
  public_id TEXT NOT NULL UNIQUE,
  org_id INTEGER NOT NULL REFERENCES organizations (id),
  url TEXT NOT NULL,
  format TEXT NOT NULL CHECK (format IN ('json', 'slack', 'discord', 'teams')),
  -- Sealed with the database's secrets key (src/store/secrets-at-rest.ts).
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

-- The outbox, filled by the event store in the event's own transaction (src/store/webhook-outbox.ts):
-- an acknowledged event never loses its alert. A purged event takes its deliveries with it.
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
