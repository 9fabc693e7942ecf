-- Events of an organization in the order they were stored (seq), for the reads that page after a
-- position: `?after=` polling, an SSE stream resumed from its Last-Event-ID, the GDPR scans. The
-- time indexes cannot give that order: without this one SQLite read every event of the
-- organization and sorted them for each such page (~125 ms a page at 1,000,000 events), where
-- it now starts at the position (src/store/event-query.ts, test/unit/query-plan.test.ts).
CREATE INDEX events_org_seq ON events (org_id, seq);
