-- Counts of events per organization, UTC hour, category and action: what the stats API reads
-- for counts by category, action, day and hour instead of every event (src/store/stats-rollup.ts).
-- Kept exact by ingest and by triggers (the retention purge, GDPR erasure). `hour` is
-- floor(ts / 3600000), also for times before 1970 (SQLite's `/` truncates toward zero).
CREATE TABLE event_counts (
  org_id INTEGER NOT NULL,
  hour INTEGER NOT NULL,
  category TEXT NOT NULL,
  action TEXT NOT NULL,
  events INTEGER NOT NULL,
  PRIMARY KEY (org_id, hour, category, action)
) WITHOUT ROWID;

INSERT INTO event_counts (org_id, hour, category, action, events)
SELECT org_id, CASE WHEN ts >= 0 THEN ts / 3600000 ELSE (ts - 3599999) / 3600000 END AS hour,
  category, action, count(*)
FROM events GROUP BY 1, 2, 3, 4;

-- Ingest adds a batch's counts itself, in one statement after the batch, in its transaction
-- (src/store/event-ingest.ts), as it does its full-text rows: an AFTER INSERT trigger, even an
-- empty one, cost about as much CPU again as the rest of an event's ingest (bench/bench.mjs --only stats).
-- Deletes (the purge) and updates (erasure) reach the counts through these triggers.
CREATE TRIGGER event_counts_delete AFTER DELETE ON events BEGIN
  UPDATE event_counts SET events = events - 1
  WHERE org_id = old.org_id
    AND hour = CASE WHEN old.ts >= 0 THEN old.ts / 3600000 ELSE (old.ts - 3599999) / 3600000 END
    AND category = old.category AND action = old.action;
  DELETE FROM event_counts
  WHERE org_id = old.org_id
    AND hour = CASE WHEN old.ts >= 0 THEN old.ts / 3600000 ELSE (old.ts - 3599999) / 3600000 END
    AND category = old.category AND action = old.action AND events <= 0;
END;

-- Erasure rewrites personal fields only; should a change ever touch these, the count moves.
CREATE TRIGGER event_counts_update AFTER UPDATE OF org_id, ts, category, action ON events
WHEN old.org_id IS NOT new.org_id OR old.ts IS NOT new.ts OR old.category IS NOT new.category
  OR old.action IS NOT new.action
BEGIN
  UPDATE event_counts SET events = events - 1
  WHERE org_id = old.org_id
    AND hour = CASE WHEN old.ts >= 0 THEN old.ts / 3600000 ELSE (old.ts - 3599999) / 3600000 END
    AND category = old.category AND action = old.action;
  DELETE FROM event_counts
  WHERE org_id = old.org_id
    AND hour = CASE WHEN old.ts >= 0 THEN old.ts / 3600000 ELSE (old.ts - 3599999) / 3600000 END
    AND category = old.category AND action = old.action AND events <= 0;
  INSERT INTO event_counts (org_id, hour, category, action, events)
  VALUES (new.org_id, CASE WHEN new.ts >= 0 THEN new.ts / 3600000 ELSE (new.ts - 3599999) / 3600000 END,
    new.category, new.action, 1)
  ON CONFLICT (org_id, hour, category, action) DO UPDATE SET events = events + 1;
END;
