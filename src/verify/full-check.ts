/**
 * `audit verify --full`: every leaf of a checkpoint's tree, read page by page, recomputed from
 * what it says (id, time, category, commitment) into the root, which must be the checkpoint's;
 * every event still there recomputed into its commitment from its salt. What is allowed to be
 * missing is what the log itself records: a salt deleted by a later GDPR erasure that names the
 * position (metadata.tree_positions), an event deleted by a later retention purge whose cutoff
 * is after it. Memory stays flat: one page at a time, plus the positions still waiting for an
 * erasure or a purge to account for them.
 */
import type { AuditEvent } from '../domain/event.js';
import { leafHash } from '../domain/merkle/hashes.js';
import { commitmentOf, leafBytes, leafFields } from '../domain/merkle/leaf.js';
import { inPositionRanges, parsePositionRanges } from '../domain/merkle/position-ranges.js';
import { createRootBuilder } from '../domain/merkle/root-builder.js';
import { type Problem, TamperEvidence } from './problems.js';
import { createWaitingLeaves, type ErasedAndPurged } from './waiting-leaves.js';

export const ERASURE_ACTION = 'gdpr.user_erased';
export const PURGE_ACTION = 'audit.retention_purged';

/** A leaf as the API lists it (src/client/tree.ts), typed loosely: the server is not trusted. */
export interface ListedLeaf {
  position: unknown;
  hash: unknown;
  event_id: unknown;
  timestamp: unknown;
  category: unknown;
  commitment: unknown;
  salt: unknown;
  event: AuditEvent | null;
}

export interface LeafSource {
  /** Leaves [start, end) and the events among them that no leaf stands for. */
  page(start: number, end: number): Promise<{ data: ListedLeaf[]; unsealed: AuditEvent[] }>;
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
    if (!Array.isArray(page?.data) || page.data.length !== end - start) {
      throw new TamperEvidence({
        kind: 'bad-answer',
        message: `the server answered ${Array.isArray(page?.data) ? page.data.length : 'no'} leaves for positions ${start}–${end - 1}`,
      });
    }
    for (const [offset, leaf] of page.data.entries()) {
      const position = start + offset;
      const header = leafHeader(leaf, position);
      builder.push(leafHash(leafBytes(header, header.commitment)));
      const event = leaf.event;
      if (event === null || event === undefined) {
        waiting.purged(position, header);
        continue;
      }
      if (
        event.id !== header.id ||
        event.timestamp !== header.timestamp ||
        event.category !== header.category
      ) {
        problems.add({
          kind: 'moved-event',
          message: `position ${position} is event ${header.id}, but the log holds event ${String(event.id)} there (events swapped or replaced)`,
          event_id: header.id,
          position,
        });
        continue;
      }
      if (leaf.salt === null) {
        waiting.erased(position, header.id);
        continue;
      }
      events++;
      const salt = base64Of(leaf.salt, 'salt', position);
      if (!commitmentOf(salt, leafFields(event)).equals(header.commitment)) {
        problems.add({
          kind: 'changed-event',
          message: `event ${header.id} at position ${position} was changed after it was sealed (its content does not match its leaf)`,
          event_id: header.id,
          position,
        });
        continue;
      }
      // Only a record whose own content is proved may account for other leaves.
      accountFor(event, waiting);
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

/** An erasure or purge record (its own content verified) accounts for earlier leaves. */
function accountFor(event: AuditEvent, waiting: ReturnType<typeof createWaitingLeaves>): void {
  const metadata = event.metadata;
  if (event.action === ERASURE_ACTION && typeof metadata?.tree_positions === 'string') {
    const ranges = parsePositionRanges(metadata.tree_positions);
    if (ranges) waiting.erasedBy((position) => inPositionRanges(ranges, position));
  } else if (event.action === PURGE_ACTION && typeof metadata?.cutoff === 'string') {
    const cutoff = Date.parse(metadata.cutoff);
    if (!Number.isNaN(cutoff)) waiting.purgedBefore(cutoff);
  }
}

interface CheckedHeader {
  id: string;
  timestamp: string;
  category: string;
  commitment: Buffer;
}

function leafHeader(leaf: ListedLeaf, position: number): CheckedHeader {
  const { event_id: id, timestamp, category } = leaf;
  if (
    leaf.position !== position ||
    typeof id !== 'string' ||
    typeof timestamp !== 'string' ||
    typeof category !== 'string'
  ) {
    throw new TamperEvidence({
      kind: 'bad-answer',
      message: `the server's leaf at position ${position} is malformed`,
    });
  }
  return { id, timestamp, category, commitment: base64Of(leaf.commitment, 'commitment', position) };
}

function base64Of(value: unknown, what: string, position: number): Buffer {
  const bytes = typeof value === 'string' ? Buffer.from(value, 'base64') : undefined;
  if (bytes?.length !== 32) {
    throw new TamperEvidence({
      kind: 'bad-answer',
      message: `the server's leaf at position ${position} has no 32-byte ${what}`,
    });
  }
  return bytes;
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
