-- Free-text search finds what the query's tokenizer (src/domain/free-text.ts) finds, in every
-- script. unicode61 folded diacritics of Latin letters only, so й, ё and ligatures such as ﬁ
-- were indexed as they are while the query folds them (NFKD, marks removed): "файл" and
-- "удалён" were never found in a list though live tail matched them. The index is now given
-- each field already tokenized by that same tokenizer (audit_index_text, audit_index_metadata:
-- registerSearchFunctions in src/store/migrate.ts, on every connection before it migrates), and
-- unicode61 only splits at the spaces between those tokens. Metadata values are searched as
-- the API shows them (true, 1e+21), not as SQLite prints them (1, 1.0e+21).
DROP TRIGGER events_fts_update;
DROP TRIGGER events_fts_delete;
DROP TABLE events_fts;

CREATE VIRTUAL TABLE events_fts USING fts5 (
  actor_name, actor_email, action, target_name, ip_address, description, metadata_values,
  content = '', contentless_delete = 1,
  tokenize = 'unicode61 remove_diacritics 0 categories ''L* N* Co So'''
);
INSERT INTO events_fts (events_fts, rank) VALUES ('secure-delete', 1);

CREATE TRIGGER events_fts_delete AFTER DELETE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
END;
CREATE TRIGGER events_fts_update AFTER UPDATE ON events BEGIN
  DELETE FROM events_fts WHERE rowid = old.seq;
  INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
    metadata_values) VALUES (new.seq, audit_index_text(new.actor_name), audit_index_text(new.actor_email),
    audit_index_text(new.action), audit_index_text(new.target_name), audit_index_text(new.ip_address),
    audit_index_text(new.description), audit_index_metadata(new.metadata));
END;

INSERT INTO events_fts (rowid, actor_name, actor_email, action, target_name, ip_address, description,
  metadata_values)
  SELECT seq, audit_index_text(actor_name), audit_index_text(actor_email), audit_index_text(action),
    audit_index_text(target_name), audit_index_text(ip_address), audit_index_text(description),
    audit_index_metadata(metadata)
  FROM events ORDER BY seq;
