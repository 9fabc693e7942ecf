/**
 * The Merkle leaves of stored events: each commits to its event's fields under a new random salt
 * (domain/merkle/leaf.ts), as the event is stored, since a check recomputes the leaf from what it
 * reads back. Computed by the sealer (server/tree-sealer.ts, or its worker thread) from events
 * read back, or by ingest from the events it just inserted (event-ingest.ts). A batch's salts,
 * commitments and hashes share one buffer: a Buffer of its own each cost more than the hashing.
 */
import { randomFillSync } from 'node:crypto';
import type { AuditEvent } from '../domain/event.js';
import { leafFields, SALT_BYTES, writeLeaf } from '../domain/merkle/leaf.js';
import type { StoredEvent } from './event-rows.js';
import type { NewLeaf } from './merkle-store.js';

// Half of a surrogate pair: SQLite's UTF-8 cannot hold it, so a text column reads back otherwise.
const LONE_SURROGATE = /\p{Surrogate}/u;

/** A batch's buffer: every leaf's salt, then every leaf's commitment and hash (writeLeaf). */
const WRITTEN_BYTES = 64;

export function leavesOf(batch: readonly StoredEvent[]): NewLeaf[] {
  const bytes = randomSalts(batch.length);
  return batch.map((stored, i) => leafOf(stored, leafFields(stored.event), bytes, i));
}

/**
 * The leaves of events this transaction just inserted, from the events in hand instead of read
 * back: the same fields, but for text that SQLite does not store as given. Such an event (a
 * lone surrogate in a text field; JSON fields escape it) is read back first.
 * test/unit/event-leaves.test.ts holds the two ways equal over hostile events.
 */
export type LeavesOfInserted = typeof leavesOfInserted;

export function leavesOfInserted(
  batch: readonly StoredEvent[],
  readBack: (seq: number) => StoredEvent | undefined,
): NewLeaf[] {
  const bytes = randomSalts(batch.length);
  return batch.map((inHand, i) => {
    let stored = inHand;
    let fields = leafFields(inHand.event);
    if (fields.some((field) => LONE_SURROGATE.test(field))) {
      stored = readBack(inHand.seq) ?? inHand;
      fields = leafFields(stored.event);
    }
    return leafOf(stored, fields, bytes, i);
  });
}

/** A buffer for `count` leaves, their salts random. */
function randomSalts(count: number): Buffer {
  const bytes = Buffer.alloc((SALT_BYTES + WRITTEN_BYTES) * count);
  randomFillSync(bytes, 0, SALT_BYTES * count);
  return bytes;
}

function leafOf(stored: StoredEvent, fields: readonly string[], bytes: Buffer, i: number): NewLeaf {
  const event: AuditEvent = stored.event;
  const salt = bytes.subarray(SALT_BYTES * i, SALT_BYTES * (i + 1));
  const at = (bytes.length / (SALT_BYTES + WRITTEN_BYTES)) * SALT_BYTES + WRITTEN_BYTES * i;
  writeLeaf(event, fields, salt, bytes, at);
  return {
    orgId: stored.orgId,
    eventSeq: stored.seq,
    eventId: event.id,
    timestamp: event.timestamp,
    category: event.category,
    commitment: bytes.subarray(at, at + 32),
    salt,
    hash: bytes.subarray(at + 32, at + WRITTEN_BYTES),
  };
}
