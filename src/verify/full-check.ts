/**
 * `audit verify --full`: every leaf of a checkpoint's tree, read page by page, recomputed from
 * what it says (id, time, category, commitment) into the root, which must be the checkpoint's;
 * every event still there recomputed into its commitment from its salt. What is allowed to be
 * missing is what the log itself records: a salt deleted by a later GDPR erasure that names the
 * position (metadata.tree_positions), an event deleted by a later retention purge whose cutoff
 * is after it. Memory stays flat: one page at a time, plus the positions still waiting for an
 * erasure or a purge to account for them.
 */
import type { LeafPage } from '../client/tree.js';
import type { AuditEvent } from '../domain/event.js';
import { inPositionRanges, parsePositionRanges } from '../domain/merkle/position-ranges.js';
import { createRootBuilder } from '../domain/merkle/root-builder.js';
import { ERASURE_ACTION, leafOutcome, PURGE_ACTION } from './leaf-outcome.js';
import { leafOutcomeOfBytes } from './leaf-row-bytes.js';
import { type Problem, TamperEvidence } from './problems.js';
import { createWaitingLeaves, type ErasedAndPurged } from './waiting-leaves.js';

/**
 * A leaf as the API lists it (src/client/tree.ts LeafRow), typed loosely: the server is not
 * trusted. [position, hash, event_id, timestamp, category, commitment, salt, fields].
 */
export type ListedLeaf = unknown;

/** A page of rows, each parsed when read (src/client/tree.ts LeafPage). */
export interface RowPage {
  length: number;
  row(index: number): ListedLeaf;
  unsealed: AuditEvent[];
  /** The rows' bytes, when the answer is of the route's row-a-line layout (src/client/tree.ts LeafPage). */
  lines?: LeafPage['lines'];
}

export interface LeafSource {
  /** Leaves [start, end) and the events among them that no leaf stands for. */
  page(start: number, end: number): Promise<RowPage>;
  pageSize: number;
}

export interface FullCheckResult extends ErasedAndPurged {
  leaves: number;
  /** Events whose content was recomputed into their leaf's commitment. */
  events: number;
  problems: Problem[];
}

/** Checks the first `size` leaves against `root`; problems are collected, the first of each kind named. */
export async function checkAllLeaves(
  source: LeafSource,
  size: number,
  root: Buffer,
  onProgress?: (done: number) => void,
): Promise<FullCheckResult> {
  const builder = createRootBuilder();
  const problems = createProblemList();
  const waiting = createWaitingLeaves();
  let events = 0;
  /** The oldest event still stored among the leaves read so far (what a later purge must have deleted). */
  let oldest: { time: number; id: string; position: number } | undefined;
  // The next page is asked for before this one is checked: the server reads while we hash.
  const ask = (start: number) => {
    const asked = source.page(start, Math.min(size, start + source.pageSize));
    asked.catch(() => {}); // awaited below; a failure after an earlier one must not go unhandled
    return asked;
  };
  let next = size > 0 ? ask(0) : undefined;
  for (let start = 0; start < size; start += source.pageSize) {
    const end = Math.min(size, start + source.pageSize);
    const page = await (next as ReturnType<typeof ask>);
    next = end < size ? ask(end) : undefined;
    // undici writes a request only once the event loop turns: without this the server began the
    // next page after this one was checked, and the two never overlapped (half the time waiting).
    await new Promise((resolve) => setImmediate(resolve));
    if (page.length !== end - start) {
      throw new TamperEvidence({
        kind: 'bad-answer',
        message: `the server answered ${page.length} leaves for positions ${start}–${end - 1}`,
      });
    }
    const { lines } = page;
    for (let offset = 0; offset < page.length; offset++) {
      const position = start + offset;
      // The row split from its bytes when it is in the shape the route writes, else parsed.
      const outcome =
        (lines &&
          leafOutcomeOfBytes(
            lines.bytes[offset] as Buffer,
            lines.starts[offset] as number,
            lines.ends[offset] as number,
            position,
          )) ??
        leafOutcome(page.row(offset), position);
      const { id, timestamp } = outcome;
      builder.pushBinary(outcome.leafHash);
      if (outcome.state === 'purged') {
        waiting.purged(position, { id, timestamp });
        continue;
      }
      if (outcome.state === 'moved') {
        problems.add({
          kind: 'moved-event',
          message: `position ${position} is event ${id}, but the log holds event ${outcome.heldId} there (events swapped or replaced)`,
          event_id: id,
          position,
        });
        continue;
      }
      const time = Date.parse(timestamp);
      if (outcome.state === 'erased') {
        waiting.erased(position, id);
        if (isOlder(time, oldest)) oldest = { time, id, position };
        continue;
      }
      events++;
      if (outcome.state === 'changed') {
        problems.add({
          kind: 'changed-event',
          message: `event ${id} at position ${position} was changed after it was sealed (its content does not match its leaf)`,
          event_id: id,
          position,
        });
        continue;
      }
      // Only a record whose own content is proved may account for other leaves.
      const cutoff = outcome.record && accountFor(outcome.record.action, outcome.record.metadata, waiting);
      if (cutoff !== undefined && oldest !== undefined && oldest.time < cutoff) {
        // A purge deletes every event older than its cutoff: one still there says the record is not one.
        problems.add({
          kind: 'false-purge',
          message: `the retention purge recorded at position ${position} (event ${id}) did not delete event ${oldest.id} at position ${oldest.position}, which is older than its cutoff: the record was not written by a purge`,
          event_id: oldest.id,
          position: oldest.position,
        });
      }
      if (isOlder(time, oldest)) oldest = { time, id, position };
    }
    for (const event of Array.isArray(page.unsealed) ? page.unsealed : []) {
      problems.add({
        kind: 'unsealed-event',
        message: `event ${String(event?.id)} is in the log but in no leaf (added behind the tree's back)`,
        event_id: String(event?.id),
      });
    }
    onProgress?.(end);
  }
  for (const problem of waiting.unaccounted()) problems.add(problem);
  if (!builder.root().equals(root)) {
    problems.add({
      kind: 'root-mismatch',
      message: `the ${size} leaves do not make the checkpoint's root: the tree itself was changed`,
    });
  }
  return { leaves: builder.size, events, ...waiting.counts(), problems: problems.list() };
}

/** Whether a stored event's time is older than the oldest so far; one that does not parse never is. */
function isOlder(time: number, oldest: { time: number } | undefined): boolean {
  return !Number.isNaN(time) && (oldest === undefined || time < oldest.time);
}

/** An erasure or purge record (its own content verified) accounts for earlier leaves; a purge's cutoff is answered. */
function accountFor(
  action: unknown,
  metadata: unknown,
  waiting: ReturnType<typeof createWaitingLeaves>,
): number | undefined {
  if (action !== ERASURE_ACTION && action !== PURGE_ACTION) return undefined;
  const { tree_positions: positions, cutoff } = (metadata ?? {}) as Record<string, unknown>;
  if (action === ERASURE_ACTION && typeof positions === 'string') {
    const ranges = parsePositionRanges(positions);
    if (ranges) waiting.erasedBy((position) => inPositionRanges(ranges, position));
  } else if (action === PURGE_ACTION && typeof cutoff === 'string') {
    const time = Date.parse(cutoff);
    if (!Number.isNaN(time)) {
      waiting.purgedBefore(time);
      return time;
    }
  }
  return undefined;
}

/** Problems in order found; after the first of a kind, the rest of that kind only counted. */
function createProblemList() {
  const byKind = new Map<string, Problem>();
  return {
    add(problem: Problem): void {
      const first = byKind.get(problem.kind);
      if (first) first.more = (first.more ?? 0) + 1;
      else byKind.set(problem.kind, { ...problem });
    },
    list: (): Problem[] => [...byKind.values()],
  };
}
