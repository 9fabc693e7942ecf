import type { AuditEvent } from '../../domain/event.js';
import { FIELD_COLUMNS } from '../event-columns.js';
import type { IngestResult } from '../event-ingest.js';
import { eventToFieldValues, type FieldValues, type StoredEvent } from '../event-rows.js';
import { createPgEventReads } from './event-reads.js';
import { escapeFieldValues } from './event-rows.js';
import { asWriteLockTimeout, beginWithLockTimeout } from './lock-wait.js';
import { queueWebhookDeliveries } from './outbox.js';
import { inTransaction, type PgClient, type PgPool } from './pool.js';
import { type SearchColumns, searchColumnsOf } from './search.js';

export interface PgEventIngestOptions {
  /** false: ingest leaves event_counts alone (bench baseline, as on SQLite). */
  eventCounts?: boolean | undefined;
  /**
   * Test hook: awaited inside the ingest transaction right before COMMIT, with the positions
   * held. The ordering proof makes commits late and out of step with it.
   */
  beforeCommit?: ((orgId: number) => Promise<void>) | undefined;
  /**
   * How long an ingest waits for the organization's positions (another writer of it, or a
   * maintenance transaction) before it fails with WriteLockTimeoutError (the API's 503), as a
   * SQLite write waits for the file lock. Default 5 s.
   */
  lockTimeoutMs?: number | undefined;
  /**
   * Told after each COMMIT that stored events: the organization and its last position now
   * (what a NOTIFY to other instances carries, listener.ts). Not called for a batch of repeats.
   */
  afterCommit?: ((orgId: number, last: number) => void) | undefined;
}

export type PgEventIngest = ReturnType<typeof createPgEventIngest>;

const COLUMN_TYPES = FIELD_COLUMNS.map((column) => (column.type === 'INTEGER' ? 'bigint[]' : 'text[]'));
const FIELD_NAMES = FIELD_COLUMNS.map((column) => column.name);

/** One INSERT for a whole batch: one array per column, unnest()ed into rows. */
const INSERT_EVENTS_SQL = `INSERT INTO events (org_id, received_at, seq, ${FIELD_NAMES.join(', ')}, search, search_text)
  SELECT $1, $2, u.* FROM unnest($3::bigint[], ${COLUMN_TYPES.map((type, i) => `$${i + 4}::${type}`).join(', ')},
    $${COLUMN_TYPES.length + 4}::tsvector[], $${COLUMN_TYPES.length + 5}::text[]) AS u`;

const INSERT_IDS_SQL = `INSERT INTO event_ids (org_id, id, ts, seq)
  SELECT $1, u.id, u.ts, u.seq FROM unnest($2::text[], $3::bigint[], $4::bigint[]) AS u (id, ts, seq)`;

const COUNT_SQL = `INSERT INTO event_counts (org_id, hour, category, action, events)
  SELECT $1, u.* FROM unnest($2::bigint[], $3::text[], $4::text[], $5::bigint[]) AS u
  ON CONFLICT (org_id, hour, category, action) DO UPDATE SET events = event_counts.events + excluded.events`;

const ID_INDEX = FIELD_NAMES.indexOf('id');
const TS_INDEX = FIELD_NAMES.indexOf('ts');
const CATEGORY_INDEX = FIELD_NAMES.indexOf('category');
const ACTION_INDEX = FIELD_NAMES.indexOf('action');

/**
 * Ingest on PostgreSQL with gap-free, commit-ordered positions per organization (migration 1,
 * org_positions): the transaction first locks the organization's counter row and holds it to
 * COMMIT, so writers of one organization commit one after another in position order, and a
 * follower reading `seq > last` never skips a position that commits later. Work that needs no
 * lock (normalized values, search vectors) is done before BEGIN. Ids already stored, or repeated
 * within the batch, take no position and yield the event stored first, as on SQLite.
 */
export function createPgEventIngest(pool: PgPool, options: PgEventIngestOptions = {}) {
  const lockTimeoutMs = Math.trunc(options.lockTimeoutMs ?? 5000);
  const begin = beginWithLockTimeout(lockTimeoutMs);
  return {
    async ingest(orgId: number, events: readonly AuditEvent[], receivedAt: number): Promise<IngestResult> {
      // What needs no lock is done before the transaction: values, escapes, search vectors.
      const prepared = prepareEvents(events);
      const { result, end } = await inTransaction(
        pool,
        async (client) => {
          const locked = await ingestLocked(client, orgId, receivedAt, prepared, options);
          if (options.beforeCommit) await options.beforeCommit(orgId);
          return locked;
        },
        begin,
      ).catch((error: unknown) => {
        throw asWriteLockTimeout(error, lockTimeoutMs);
      });
      if (result.created > 0) options.afterCommit?.(orgId, end);
      return result;
    },
  };
}

/**
 * Ingest inside a transaction the caller has open on `client`, so the events commit with the
 * rest of its work or not at all: the purge's record of itself, a GDPR erasure's, an access log
 * entry beside the write it logs (SQLite's nested writeTransaction). The organization's positions
 * stay locked until the caller's COMMIT; telling other instances (afterCommit) is the caller's
 * job, with `end` once it has committed.
 */
export async function ingestInTransaction(
  client: PgClient,
  orgId: number,
  events: readonly AuditEvent[],
  receivedAt: number,
  options: Pick<PgEventIngestOptions, 'eventCounts'> = {},
): Promise<{ result: IngestResult; end: number }> {
  return ingestLocked(client, orgId, receivedAt, prepareEvents(events), options);
}

function prepareEvents(events: readonly AuditEvent[]): PreparedEvent[] {
  return events.map((event) => {
    const values = eventToFieldValues(event);
    return { event, values, stored: escapeFieldValues(values), search: searchColumnsOf(values) };
  });
}

interface PreparedEvent {
  event: AuditEvent;
  values: FieldValues;
  /** The values as stored: text escaped (text-escape.ts). */
  stored: FieldValues;
  search: SearchColumns;
}

/** The batch's work with the organization's positions held; `end` is its last position after. */
async function ingestLocked(
  client: PgClient,
  orgId: number,
  receivedAt: number,
  prepared: readonly PreparedEvent[],
  options: Pick<PgEventIngestOptions, 'eventCounts'>,
): Promise<{ result: IngestResult; end: number }> {
  const last = await lockPositions(client, orgId);
  // A statement of its own, after the lock: READ COMMITTED gives it a snapshot in which the
  // previous holder's ids are committed. Folded into the locking SELECT, it would read them with
  // that statement's older snapshot and insert a known id again. Ids as stored (escaped).
  const idOf = (item: PreparedEvent) => item.stored[ID_INDEX] as string;
  const known = await client.query<{ id: string }>(
    'SELECT id FROM event_ids WHERE org_id = $1 AND id = ANY($2::text[])',
    [orgId, [...new Set(prepared.map(idOf))]],
  );
  // The first of each new id takes the next position; a repeat or a known id takes none.
  const taken = new Set(known.rows.map((row) => row.id));
  const fresh: boolean[] = [];
  const freshItems: (PreparedEvent & { seq: number })[] = [];
  for (const item of prepared) {
    const isFresh = !taken.has(idOf(item));
    fresh.push(isFresh);
    if (!isFresh) continue;
    taken.add(idOf(item));
    freshItems.push({ ...item, seq: last + freshItems.length + 1 });
  }
  if (freshItems.length > 0) {
    await insertBatch(client, orgId, receivedAt, freshItems);
    if (options.eventCounts !== false) {
      await addCounts(
        client,
        orgId,
        freshItems.map((item) => item.stored),
      );
    }
    await queueWebhookDeliveries(client, orgId, last + 1);
    await client.query('UPDATE org_positions SET last = $2 WHERE org_id = $1', [
      orgId,
      last + freshItems.length,
    ]);
  }
  const newEvents = new Map(
    freshItems.map((item): [string, StoredEvent] => [
      idOf(item),
      { seq: item.seq, orgId, receivedAt, event: item.event },
    ]),
  );
  const stored: StoredEvent[] = [];
  for (const item of prepared) {
    stored.push(newEvents.get(idOf(item)) ?? (await storedEvent(client, orgId, item.event.id)));
  }
  return { result: { stored, fresh, created: freshItems.length }, end: last + freshItems.length };
}

/**
 * Locks the organization's counter row until COMMIT and returns its last position. A writer of
 * the same organization waits here until this transaction ended; READ COMMITTED then gives it
 * the row as this one left it. The row is made on the organization's first event.
 */
async function lockPositions(client: PgClient, orgId: number): Promise<number> {
  const select = 'SELECT last FROM org_positions WHERE org_id = $1 FOR UPDATE';
  let found = await client.query<{ last: number }>(select, [orgId]);
  if (found.rows.length === 0) {
    await client.query('INSERT INTO org_positions (org_id) VALUES ($1) ON CONFLICT DO NOTHING', [orgId]);
    found = await client.query<{ last: number }>(select, [orgId]);
  }
  const row = found.rows[0];
  if (!row) throw new Error(`organization ${orgId} has no positions row`);
  return row.last;
}

async function insertBatch(
  client: PgClient,
  orgId: number,
  receivedAt: number,
  items: readonly {
    seq: number;
    stored: FieldValues;
    search: { search: string | null; searchText: string | null };
  }[],
): Promise<void> {
  const columns = FIELD_NAMES.map((_, index) => items.map((item) => item.stored[index]));
  await client.query(INSERT_EVENTS_SQL, [
    orgId,
    receivedAt,
    items.map((item) => item.seq),
    ...columns,
    items.map((item) => item.search.search),
    items.map((item) => item.search.searchText),
  ]);
  await client.query(INSERT_IDS_SQL, [
    orgId,
    items.map((item) => item.stored[ID_INDEX]),
    items.map((item) => item.stored[TS_INDEX]),
    items.map((item) => item.seq),
  ]);
}

/** The batch's counts by UTC hour, category and action, added in one statement. */
async function addCounts(client: PgClient, orgId: number, values: readonly FieldValues[]): Promise<void> {
  const counts = new Map<string, { hour: number; category: string; action: string; events: number }>();
  for (const value of values) {
    const ts = value[TS_INDEX] as number;
    const hour = Math.floor(ts / 3_600_000);
    const category = value[CATEGORY_INDEX] as string;
    const action = value[ACTION_INDEX] as string;
    const key = JSON.stringify([hour, category, action]);
    const entry = counts.get(key);
    if (entry) entry.events++;
    else counts.set(key, { hour, category, action, events: 1 });
  }
  const rows = [...counts.values()];
  await client.query(COUNT_SQL, [
    orgId,
    rows.map((row) => row.hour),
    rows.map((row) => row.category),
    rows.map((row) => row.action),
    rows.map((row) => row.events),
  ]);
}

async function storedEvent(client: PgClient, orgId: number, id: string): Promise<StoredEvent> {
  const found = await createPgEventReads(client).findById(orgId, id);
  if (!found) throw new Error(`event ${id} is recorded in event_ids but not in events`);
  return found;
}
