import type pg from 'pg';
import { createPgClient, type PgPool } from './pool.js';

/**
 * Tail across instances: an instance that stored events tells the others
 * with a NOTIFY on one channel, carrying each organization's last position; every instance
 * LISTENs on a connection of its own and polls org_positions as the fallback, at once after
 * each (re)connect and every pollMs, so a notification lost to a crash or a broken connection
 * delays a follower by one poll at most. Positions are gap-free and commit-ordered per
 * organization (migration 1), so "the last position is now n" is all a follower needs.
 */
export const POSITIONS_CHANNEL = 'audit_positions';

/** NOTIFY payloads must stay under 8000 bytes; a longer set of positions goes in several. */
const MAX_PAYLOAD_BYTES = 7000;

/** Organization id → its last position. */
export type Positions = Map<number, number>;

export interface PositionNotifierOptions {
  /** At most one NOTIFY per this many ms per instance; positions meanwhile are merged. */
  intervalMs?: number;
  onError?: (error: unknown) => void;
}

/**
 * Sends the positions told by ingest's afterCommit. After COMMIT, not inside the transaction: a
 * NOTIFY in a transaction takes a cluster-wide lock at commit and would serialize the commits of
 * every organization. Coalesced: the first position goes out at once, later ones within
 * intervalMs of a send wait for the next, merged (the highest position per organization).
 */
export function createPositionNotifier(pool: PgPool, options: PositionNotifierOptions = {}) {
  const intervalMs = options.intervalMs ?? 5;
  const onError =
    options.onError ?? ((error: unknown) => process.emitWarning(String(error), 'PositionNotifyFailed'));
  const pending: Positions = new Map();
  let timer: NodeJS.Timeout | undefined;
  let lastSentAt = -Infinity;
  let sending = Promise.resolve();

  function flush(): void {
    timer = undefined;
    lastSentAt = performance.now();
    const payloads = payloadsOf(pending);
    pending.clear();
    for (const payload of payloads) {
      sending = sending
        .then(() => pool.query('SELECT pg_notify($1, $2)', [POSITIONS_CHANNEL, payload]))
        .then(() => {}, onError);
    }
  }

  let closed = false;
  return {
    notify(orgId: number, last: number): void {
      // A commit that ends after close (a write in flight at shutdown): the others poll for it.
      if (closed) return;
      pending.set(orgId, Math.max(pending.get(orgId) ?? 0, last));
      if (timer) return;
      const wait = Math.max(0, lastSentAt + intervalMs - performance.now());
      timer = setTimeout(flush, wait);
    },
    /** Sends what is pending and waits for every NOTIFY under way. */
    async close(): Promise<void> {
      closed = true;
      if (timer) {
        clearTimeout(timer);
        flush();
      }
      await sending;
    },
  };
}

function payloadsOf(positions: Positions): string[] {
  const payloads: string[] = [];
  let entries: string[] = [];
  let bytes = 2;
  for (const [orgId, last] of positions) {
    const entry = `"${orgId}":${last}`;
    if (bytes + entry.length + 1 > MAX_PAYLOAD_BYTES && entries.length > 0) {
      payloads.push(`{${entries.join(',')}}`);
      entries = [];
      bytes = 2;
    }
    entries.push(entry);
    bytes += entry.length + 1;
  }
  if (entries.length > 0) payloads.push(`{${entries.join(',')}}`);
  return payloads;
}

export interface PositionListenerOptions {
  /** The organizations with followers here: what the fallback poll asks about. */
  orgIds: () => readonly number[];
  /** The fallback poll's period; default 1 s. */
  pollMs?: number;
  /** The first pause before reconnecting; doubles up to maxBackoffMs. */
  backoffMs?: number;
  maxBackoffMs?: number;
  onError?: (error: unknown) => void;
}

export interface PositionListener {
  /** The server process of the listening connection, while connected (tests end it). */
  backendPid(): number | undefined;
  close(): Promise<void>;
}

/**
 * Listens for positions on a connection of its own, reconnecting with backoff, and polls
 * org_positions for `orgIds` at each (re)connect and every pollMs. `onPositions` may hear a
 * position more than once and from either source: its caller compares with what it has read.
 */
export function createPositionListener(
  url: string,
  onPositions: (positions: Positions) => void,
  options: PositionListenerOptions,
): PositionListener {
  const pollMs = options.pollMs ?? 1000;
  const firstBackoffMs = options.backoffMs ?? 100;
  const maxBackoffMs = options.maxBackoffMs ?? 5000;
  const onError =
    options.onError ?? ((error: unknown) => process.emitWarning(String(error), 'PositionListenError'));
  let client: pg.Client | undefined;
  let pid: number | undefined;
  let closed = false;
  let backoffMs = firstBackoffMs;
  let reconnectTimer: NodeJS.Timeout | undefined;

  /** The poll under way, if any: one client runs one query at a time (pg 9 refuses more). */
  let polling: Promise<void> | undefined;

  function poll(): Promise<void> {
    polling ??= pollOnce().finally(() => {
      polling = undefined;
    });
    return polling;
  }

  async function pollOnce(): Promise<void> {
    const orgIds = options.orgIds();
    const listening = client;
    if (!listening || orgIds.length === 0) return;
    const { rows } = await listening.query<{ org_id: number; last: number }>(
      'SELECT org_id, last FROM org_positions WHERE org_id = ANY($1::bigint[])',
      [orgIds],
    );
    if (rows.length > 0) onPositions(new Map(rows.map((row) => [row.org_id, row.last])));
  }

  function lost(error?: unknown): void {
    if (error !== undefined) onError(error);
    const old = client;
    client = undefined;
    pid = undefined;
    old?.removeAllListeners();
    old?.on('error', () => {});
    old?.end().catch(() => {});
    if (closed || reconnectTimer) return;
    reconnectTimer = setTimeout(() => {
      reconnectTimer = undefined;
      void connect();
    }, backoffMs);
    backoffMs = Math.min(backoffMs * 2, maxBackoffMs);
  }

  async function connect(): Promise<void> {
    const next = createPgClient(url);
    next.on('error', lost);
    next.on('end', () => {
      if (client === next) lost();
    });
    next.on('notification', (message) => {
      if (message.channel !== POSITIONS_CHANNEL || !message.payload) return;
      try {
        const parsed = JSON.parse(message.payload) as Record<string, number>;
        onPositions(new Map(Object.entries(parsed).map(([orgId, last]) => [Number(orgId), last])));
      } catch (error) {
        onError(error);
      }
    });
    try {
      await next.connect();
      await next.query(`LISTEN ${POSITIONS_CHANNEL}`);
      const { rows } = await next.query<{ pid: number }>('SELECT pg_backend_pid() AS pid');
      if (closed) {
        await next.end();
        return;
      }
      // A poll still running on the lost connection must not stand in for the catch-up below.
      await polling?.catch(() => {});
      client = next;
      pid = rows[0]?.pid;
      backoffMs = firstBackoffMs;
      // What was committed while not listening: polled after LISTEN, so nothing falls between.
      await poll();
    } catch (error) {
      if (client === next || client === undefined) {
        client = next;
        lost(error);
      }
    }
  }

  const pollTimer = setInterval(() => {
    poll().catch((error: unknown) => lost(error));
  }, pollMs);
  pollTimer.unref();
  void connect();

  return {
    backendPid: () => pid,
    async close(): Promise<void> {
      closed = true;
      clearInterval(pollTimer);
      if (reconnectTimer) clearTimeout(reconnectTimer);
      const old = client;
      client = undefined;
      old?.removeAllListeners();
      old?.on('error', () => {});
      await old?.end().catch(() => {});
    },
  };
}
