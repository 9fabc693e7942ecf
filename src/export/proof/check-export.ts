/**
 * The offline check of an export file against its proof: every row recomputed to its Merkle
 * leaf at the position the proof gives, the leaves between the rows taken from the proof, the
 * root of the checkpoint recomputed from those and the subtrees around them, the checkpoint's
 * signature opened with a key the caller trusts. Problems name the line and the event.
 */
import { type Checkpoint, parseCheckpoint } from '../../domain/checkpoint.js';
import { CHECKPOINT_SIGNED } from '../../domain/checkpoint-record.js';
import type { ExportProof, OtherLeaf } from '../../domain/merkle/export-proof.js';
import { LEAF_HINT_BYTES } from '../../domain/merkle/export-proof.js';
import { leafHash } from '../../domain/merkle/hashes.js';
import { commitmentOf, leafBytes } from '../../domain/merkle/leaf.js';
import { rootFromRange } from '../../domain/merkle/range-proof.js';
import { type NoteVerifier, openNote, SignedNoteError } from '../../domain/signed-note.js';
import type { FileRow } from './export-rows.js';
import { hashedAhead } from './export-rows.js';
import { BY_OTHER, BY_ROW, LeafSpan } from './leaf-span.js';
import { rangeMatcher } from './range-filters.js';
import { rowLeafHash } from './row-leaf.js';
import { SpanSubtrees } from './span-subtrees.js';

/** Problems listed at most; the first ones say what happened, the rest would repeat it. */
const MAX_PROBLEMS = 20;

/** Lines of erased rows named at most (a proof edited to mark a row erased hides its content: name them). */
const MAX_ERASED_LINES = 20;

export interface ExportCheck {
  /** Rows read from the file. */
  events: number;
  /** Rows of events whose salt erasure or the purge deleted: their id, time and category are proved, not their content. */
  erased: number;
  /** The file's lines of those rows (the first MAX_ERASED_LINES): whose content the check could not prove. */
  erasedLines: number[];
  /** The positions the rows and the leaves between them cover, or null for an empty export. */
  span: { first: number; last: number } | null;
  checkpoint: Checkpoint | undefined;
  /** Evidence of tampering, one sentence each; empty when the file is proved. */
  problems: string[];
  /** Filters the check could not apply offline. */
  unchecked: string[];
  /** With `collect`: each row's event id and leaf hint, for writing a proof. */
  collected?: { ids: string[]; hints: Buffer };
}

export interface CheckOptions {
  /** Keep each row's id and leaf hint (to write a proof from the server's). */
  collect?: boolean;
}

export async function checkExport(
  proof: ExportProof,
  verifier: NoteVerifier,
  rows: AsyncIterable<FileRow[]>,
  options: CheckOptions = {},
): Promise<ExportCheck> {
  const problems: string[] = [];
  const report = (problem: string) => {
    if (problems.length < MAX_PROBLEMS) problems.push(problem);
  };
  const matcher = rangeMatcher(proof.filters);
  const result: ExportCheck = {
    events: 0,
    erased: 0,
    erasedLines: [],
    span: null,
    checkpoint: undefined,
    problems,
    unchecked: matcher.unchecked,
  };

  const checkpoint = openCheckpoint(proof, verifier, report);
  result.checkpoint = checkpoint;
  const span = spanOf(proof, report);
  const collected = options.collect
    ? { ids: new Array<string>(proof.count), hints: Buffer.alloc(proof.count * LEAF_HINT_BYTES) }
    : undefined;
  if (collected) result.collected = collected;

  // Once a line is missing, added or moved, every later row is shifted: the first says it all.
  let aligned = true;
  let index = 0;
  const subtrees = span && new SpanSubtrees(span);
  for await (const batch of rows) {
    subtrees?.advance();
    // Entries a proof opened lazily has not read yet: at most one per row of the batch.
    proof.readEntries?.(Math.min(proof.count, index + batch.length));
    for (const row of batch) {
      if (row.frame) {
        report(row.line > 0 ? `line ${row.line} ${row.problem}` : String(row.problem));
        continue;
      }
      const i = index++;
      if (i >= proof.count) {
        if (i === proof.count)
          report(`line ${row.line}: an event after the ${proof.count} the proof covers — a line was added`);
        continue;
      }
      const position = proof.positions[i] as number;
      if (!row.fields) {
        report(`line ${row.line} ${row.problem} (expected ${expectedEvent(proof, i)})`);
        aligned = false;
        continue;
      }
      const fields = row.fields;
      const id = fields[0] as string;
      if (row.problem) report(`line ${row.line}: event ${shown(id)} ${row.problem}`);
      const commitment = proof.erased.get(i);
      if (commitment && result.erased++ < MAX_ERASED_LINES) result.erasedLines.push(row.line);
      const hash = commitment
        ? leafHash(
            leafBytes({ id, timestamp: fields[1] as string, category: fields[2] as string }, commitment),
          )
        : row.hashed
          ? hashedAhead(row.hashed, i)
          : rowLeafHash(fields, proof.salts.subarray(i * 32, i * 32 + 32));
      if (span && !span.set(position, hash, BY_ROW)) report(`the proof names position ${position} twice`);
      if (collected) {
        collected.ids[i] = id;
        hash.copy(collected.hints, i * LEAF_HINT_BYTES, 0, LEAF_HINT_BYTES);
      }
      if (!proof.hinted || !aligned) continue;
      const expectedId = proof.ids[i] as string;
      if (id !== expectedId) {
        aligned = false;
        report(
          `line ${row.line}: expected event ${expectedId} (position ${position}), found ${shown(id)} — a line was removed, added or reordered`,
        );
      } else if (!startsWithHint(hash, proof, i)) {
        report(`line ${row.line}: event ${id} (position ${position}) was changed`);
      }
    }
  }
  result.events = index;
  proof.readEntries?.(proof.count);
  if (index < proof.count && !aligned) {
    report(`the file has ${index} of the ${proof.count} events the proof covers`);
  } else if (index < proof.count) {
    report(
      `the file ends after ${index} of ${proof.count} events — it was cut off (the next is ${expectedEvent(proof, index)})`,
    );
  }
  if (!span) return result;
  result.span = { first: span.lo, last: span.hi };
  if (index < proof.count) return result;

  for (const other of proof.others) {
    const hash = leafHash(leafBytes(other, other.commitment));
    if (!span.set(other.position, hash, BY_OTHER)) {
      report(`position ${other.position} is both a row and another leaf in the proof`);
      continue;
    }
    const record = hiddenRecord(other);
    if (record === 'forged') {
      report(
        `position ${other.position}: the proof shows event ${other.id} as a checkpoint record, but its content does not match its leaf`,
      );
      continue;
    }
    if (record === 'checkpoint' && !matcher.showsCheckpointRecords) continue;
    if (matcher.unchecked.length === 0 && matcher.matches(other.timestamp, other.category)) {
      report(
        `event ${other.id} (position ${other.position}, ${other.timestamp}, ${other.category}) is in the log within the export's range but missing from the file`,
      );
    }
  }
  if (problems.length > 0) return result;
  const hole = span.firstEmpty();
  if (hole !== undefined) {
    report(`position ${hole} is neither a row of the file nor a leaf of the proof — the proof is incomplete`);
    return result;
  }
  if (checkpoint) {
    subtrees?.advance();
    const root = rootOf(proof, span, report, subtrees);
    if (root && !root.equals(checkpoint.root)) {
      report(
        `the file's events and the proof do not add up to the checkpoint's root (size ${checkpoint.size}) — the file or its proof was altered`,
      );
    }
  }
  return result;
}

function openCheckpoint(
  proof: ExportProof,
  verifier: NoteVerifier,
  report: (problem: string) => void,
): Checkpoint | undefined {
  let text: string;
  try {
    text = openNote(proof.checkpoint, [verifier]).text;
  } catch (error) {
    if (!(error instanceof SignedNoteError)) throw error;
    report(`the checkpoint's signature does not verify with key ${verifier.name} (${error.message})`);
    return undefined;
  }
  try {
    const checkpoint = parseCheckpoint(text);
    if (checkpoint.size !== proof.treeSize) {
      report(
        `the proof is for a tree of ${proof.treeSize} events but its checkpoint is of ${checkpoint.size}`,
      );
      return undefined;
    }
    return checkpoint;
  } catch (error) {
    report(`the signed note is not a checkpoint (${(error as Error).message})`);
    return undefined;
  }
}

function spanOf(proof: ExportProof, report: (problem: string) => void): LeafSpan | undefined {
  if (proof.count === 0) {
    if (proof.others.length > 0) report('the proof lists leaves but no rows');
    return undefined;
  }
  let lo = Number.POSITIVE_INFINITY;
  let hi = -1;
  for (let i = 0; i < proof.count; i++) {
    const position = proof.positions[i] as number;
    if (position < lo) lo = position;
    if (position > hi) hi = position;
  }
  const outside = proof.others.find((other) => other.position < lo || other.position > hi);
  if (outside) report(`the proof lists position ${outside.position}, outside its rows' span ${lo}–${hi}`);
  if (hi - lo + 1 > proof.count + proof.others.length) {
    report(
      `the proof covers ${proof.count + proof.others.length} of the ${hi - lo + 1} positions ${lo}–${hi}`,
    );
    return undefined;
  }
  return new LeafSpan(lo, hi);
}

function rootOf(
  proof: ExportProof,
  span: LeafSpan,
  report: (problem: string) => void,
  subtrees?: SpanSubtrees,
): Buffer | undefined {
  try {
    return rootFromRange(
      span.lo,
      span.hi + 1,
      proof.treeSize,
      (position) => span.at(position),
      (level, index) => {
        const hash = proof.nodes.get(`${level}/${index}`);
        if (!hash)
          throw new MissingNodeError(`the proof lacks the subtree at level ${level}, index ${index}`);
        return hash;
      },
      subtrees && ((level, index) => subtrees.known(level, index)),
    );
  } catch (error) {
    if (!(error instanceof MissingNodeError)) throw error;
    report(error.message);
    return undefined;
  }
}

class MissingNodeError extends Error {
  override readonly name = 'MissingNodeError';
}

/** Whether `hash` starts with entry i's leaf hint (compared in place: a million rows a check). */
function startsWithHint(hash: Uint8Array, proof: ExportProof, i: number): boolean {
  const at = i * LEAF_HINT_BYTES;
  for (let b = 0; b < LEAF_HINT_BYTES; b++) if (hash[b] !== proof.hints[at + b]) return false;
  return true;
}

function expectedEvent(proof: ExportProof, i: number): string {
  const position = proof.positions[i] as number;
  return proof.hinted ? `event ${proof.ids[i]} at position ${position}` : `the event at position ${position}`;
}

/** An id from the file, as a message may show it: the file is attacker-controlled text. */
function shown(id: string): string {
  return id === '' ? 'no id' : JSON.stringify(id.length > 60 ? `${id.slice(0, 60)}…` : id);
}

/**
 * Whether another leaf is a checkpoint record (lists hide those unless detailed), proved by its
 * own commitment over the fields the proof shows: 'forged' when they do not match the leaf.
 */
function hiddenRecord(other: OtherLeaf): 'checkpoint' | 'forged' | undefined {
  if (!other.record) return undefined;
  const { salt, fields } = other.record;
  const [id, timestamp, category, action] = fields;
  const matches =
    commitmentOf(salt, fields).equals(other.commitment) &&
    id === other.id &&
    timestamp === other.timestamp &&
    category === other.category &&
    action === CHECKPOINT_SIGNED;
  return matches ? 'checkpoint' : 'forged';
}
