/**
 * The proof written beside an export (`FILE.proof.json`): what `audit verify FILE` needs to show,
 * with no network, that the file holds exactly the log's events for its range, unmodified.
 *
 * Per row of the file, in file order, an entry: the event's tree position and its salt (from the
 * server), and the event id and a prefix of the leaf hash the exporter computed from the row as
 * it was written — hints that let a check name the line that changed; the root decides. Every
 * other leaf between the smallest and largest entry position comes as its header and
 * commitment ("others"), and the perfect subtrees outside that span as hashes ("nodes"), so the
 * root of the checkpoint can be recomputed. The checkpoint is the signed note itself.
 */
import { HASH_BYTES } from './hashes.js';
import { type Entries, entriesByLine, NotLaidOutError } from './proof-entries.js';
import {
  arrayOf,
  bytes,
  filtersOf,
  HINT_BASE64,
  isPosition,
  ProofFormatError,
  SALT_BASE64,
  textOf,
  tuple,
  writeBase64,
} from './proof-fields.js';

export { ProofFormatError } from './proof-fields.js';

import { SALT_BYTES } from './leaf.js';

export const PROOF_FORMAT = 'audit-log-proof';
export const PROOF_VERSION = 1;
export const PROOF_SUFFIX = '.proof.json';
export const PROOF_CONTENTS = ['json', 'ndjson', 'csv'] as const;
export type ProofContent = (typeof PROOF_CONTENTS)[number];
/** Bytes of the leaf hash kept per entry as a hint: enough to tell a changed line by chance never. */
export const LEAF_HINT_BYTES = 12;

/** The list filters of the export, as they were sent (lists as arrays). */
export type ProofFilters = Record<string, string | string[]>;

/** A proof as the file holds it. */
export interface ExportProofDocument {
  format: typeof PROOF_FORMAT;
  version: typeof PROOF_VERSION;
  file: string;
  content: ProofContent;
  filters: ProofFilters;
  /** The verifier key the exporter saw (a hint: a check takes its key from elsewhere). */
  key?: string;
  checkpoint: string;
  tree_size: number;
  /**
   * An erased or purged event's salt is gone: its entry is [position, null, eventId, leafHint,
   * commitment], and only its id, time and category can be checked.
   */
  entries: (
    | [position: number, salt: string, eventId: string, leafHint: string]
    | [position: number, salt: null, eventId: string, leafHint: string, commitment: string]
  )[];
  others: (
    | [position: number, eventId: string, timestamp: string, category: string, commitment: string]
    | [
        position: number,
        eventId: string,
        timestamp: string,
        category: string,
        commitment: string,
        salt: string,
        fields: string[],
      ]
  )[];
  nodes: [level: number, index: number, hash: string][];
}

/** A leaf within the span that is not a row of the file. */
export interface OtherLeaf {
  position: number;
  id: string;
  timestamp: string;
  category: string;
  commitment: Buffer;
  /** A record lists hide unless detailed (a signed checkpoint's), opened: its salt and 18 fields. */
  record?: { salt: Buffer; fields: string[] };
}

/** A proof read and checked for shape, its many entries held compactly. */
export interface ExportProof {
  file: string;
  content: ProofContent;
  filters: ProofFilters;
  key: string | undefined;
  checkpoint: string;
  treeSize: number;
  /** Rows the file should have. */
  count: number;
  /** Entries carry the event id and leaf hint of each row (a written proof; the server's has none). */
  hinted: boolean;
  positions: Float64Array;
  /** Salt i at [32 i, 32 i + 32). */
  salts: Buffer;
  ids: string[];
  /** Hint i at [12 i, 12 i + 12). */
  hints: Buffer;
  /** The commitments of the rows whose salt erasure or the purge deleted, by row index. */
  erased: Map<number, Buffer>;
  others: OtherLeaf[];
  /** By `${level}/${index}`. */
  nodes: Map<string, Buffer>;
  /**
   * Opened with openExportProof: reads the entries before `upTo` (their salts, ids, hints and
   * erasures; positions are all read at once) if not read yet, throwing what parseExportProof
   * would have thrown for the first bad one. Absent when every entry is read.
   */
  readEntries?: (upTo: number) => void;
  /** Opened with openExportProof: the same bytes read by parseExportProof, for a proof whose lines turn out not to be its entries. */
  readWhole?: () => ExportProof;
}

/** Reads a proof file's bytes; throws ProofFormatError naming what is wrong. */
export function parseExportProof(bytes: Buffer): ExportProof {
  return readProofBytes(bytes, false);
}

/**
 * parseExportProof, but the entries of a proof in formatExportProof's layout are read as
 * `readEntries` is asked for them, so that a check can hash its first rows before a million
 * entries are read. Their salts lie in shared memory, for worker threads to hash with. A bad
 * entry throws its ProofFormatError from readEntries; a line that is not one entry throws
 * NotLaidOutError from it, and the caller starts again with readWhole().
 */
export function openExportProof(bytes: Buffer): ExportProof {
  const proof = readProofBytes(bytes, true);
  if (proof.readEntries) proof.readWhole = () => parseExportProof(bytes);
  return proof;
}

function readProofBytes(bytes: Buffer, lazy: boolean): ExportProof {
  const laidOut = entriesByLine(bytes);
  if (laidOut) {
    try {
      return readProofDocument(laidOut.document, () => laidOut, lazy);
    } catch (error) {
      if (!(error instanceof NotLaidOutError)) throw error;
    }
  }
  let document: unknown;
  try {
    document = JSON.parse(bytes.toString('utf8'));
  } catch (error) {
    throw new ProofFormatError(`not JSON (${(error as Error).message})`);
  }
  return readExportProof(document);
}

/**
 * A proof document checked for shape. Entries of two (position, salt) are the server's answer,
 * before the exporter added the ids and hints: such a proof is not `hinted`.
 */
export function readExportProof(document: unknown): ExportProof {
  return readProofDocument(document, () => {
    const entries = arrayOf((document as { entries?: unknown }).entries, 'entries');
    return { count: entries.length, entryAt: (i) => entries[i] };
  });
}

/** readExportProof, the entries given one by one once the head is checked. */
function readProofDocument(document: unknown, entriesOf: () => Entries, lazy = false): ExportProof {
  const doc = document as Partial<ExportProofDocument> | null;
  if (typeof doc !== 'object' || doc === null || doc.format !== PROOF_FORMAT) {
    throw new ProofFormatError(`not an ${PROOF_FORMAT} file`);
  }
  if (doc.version !== PROOF_VERSION)
    throw new ProofFormatError(`version ${String(doc.version)} is not known`);
  if (!PROOF_CONTENTS.includes(doc.content as ProofContent)) throw new ProofFormatError('unknown "content"');
  if (typeof doc.checkpoint !== 'string') throw new ProofFormatError('"checkpoint" is not a signed note');
  if (!isPosition(doc.tree_size)) throw new ProofFormatError('"tree_size" is not a tree size');
  const treeSize = doc.tree_size;
  const { count, entryAt, readPlain, readPositions } = entriesOf();
  const positions = new Float64Array(count);
  const salts = lazy ? Buffer.from(new SharedArrayBuffer(count * 32)) : Buffer.alloc(count * 32);
  const hints = Buffer.alloc(count * LEAF_HINT_BYTES);
  const ids: string[] = new Array(count);
  const erased = new Map<number, Buffer>();
  // A written proof's entries carry the id and hint (4, or 5 when erased); the server's do not (2, or 3).
  const first = count > 0 ? entryAt(0) : undefined;
  const hinted = Array.isArray(first) && (first[1] === null ? first.length === 5 : first.length === 4);
  const arrays = { positions, salts, ids, hints };
  let read = 0;
  const readEntries = (upTo: number): void => {
    for (; read < upTo; read++) readEntry(read);
  };
  const readEntry = (i: number): void => {
    if (i > 0 && hinted && readPlain?.(i, treeSize, arrays)) return;
    const entry = i === 0 ? first : entryAt(i);
    const list = Array.isArray(entry) ? entry : [];
    const gone = list[1] === null;
    const fields = tuple(entry, (hinted ? 4 : 2) + (gone ? 1 : 0), `entries[${i}]`);
    const [position, salt] = fields;
    const [id, hint] = hinted ? fields.slice(2, 4) : ['', ''];
    if (!isPosition(position) || position >= treeSize)
      throw new ProofFormatError(`entries[${i}]: position is not within the tree`);
    positions[i] = position;
    if (gone) erased.set(i, bytes(fields.at(-1), HASH_BYTES, `entries[${i}] commitment`));
    else writeBase64(salt, SALT_BASE64, salts, i * 32, `entries[${i}] salt`);
    if (!hinted) return;
    ids[i] = textOf(id, `entries[${i}] event id`);
    writeBase64(hint, HINT_BASE64, hints, i * LEAF_HINT_BYTES, `entries[${i}] leaf hint`);
  };
  // Read later only when every position is plain: the span of the rows is known before any row.
  const later = lazy && hinted && readPositions?.(treeSize, positions) === true;
  if (!later) readEntries(count);
  try {
    return { ...readRest(doc, treeSize, count, hinted, arrays, erased), ...(later ? { readEntries } : {}) };
  } catch (error) {
    // The entries come first in the file: a bad one is what parseExportProof names.
    readEntries(count);
    throw error;
  }
}

/** The rest of a proof document once its entries are read (or left to readEntries). */
function readRest(
  doc: Partial<ExportProofDocument>,
  treeSize: number,
  count: number,
  hinted: boolean,
  { positions, salts, ids, hints }: { positions: Float64Array; salts: Buffer; ids: string[]; hints: Buffer },
  erased: Map<number, Buffer>,
): ExportProof {
  const others = arrayOf(doc.others, 'others').map((other, i): OtherLeaf => {
    const opened = Array.isArray(other) && other.length === 7;
    const [position, id, timestamp, category, commitment, salt, fields] = tuple(
      other,
      opened ? 7 : 5,
      `others[${i}]`,
    );
    if (!isPosition(position) || position >= treeSize)
      throw new ProofFormatError(`others[${i}]: position is not within the tree`);
    const leaf: OtherLeaf = {
      position,
      id: textOf(id, `others[${i}] event id`),
      timestamp: textOf(timestamp, `others[${i}] timestamp`),
      category: textOf(category, `others[${i}] category`),
      commitment: bytes(commitment, HASH_BYTES, `others[${i}] commitment`),
    };
    if (opened) {
      if (
        !Array.isArray(fields) ||
        fields.length !== 18 ||
        !fields.every((field) => typeof field === 'string')
      )
        throw new ProofFormatError(`others[${i}]: the record's fields are not 18 texts`);
      leaf.record = { salt: bytes(salt, SALT_BYTES, `others[${i}] salt`), fields };
    }
    return leaf;
  });
  const nodes = new Map<string, Buffer>();
  arrayOf(doc.nodes, 'nodes').forEach((node, i) => {
    const [level, index, hash] = tuple(node, 3, `nodes[${i}]`);
    if (!isPosition(level) || level > 62 || !isPosition(index))
      throw new ProofFormatError(`nodes[${i}]: not a subtree`);
    nodes.set(`${level}/${index}`, bytes(hash, HASH_BYTES, `nodes[${i}] hash`));
  });
  return {
    file: typeof doc.file === 'string' ? doc.file : '',
    content: doc.content as ProofContent,
    filters: filtersOf(doc.filters),
    key: typeof doc.key === 'string' ? doc.key : undefined,
    checkpoint: doc.checkpoint as string,
    treeSize,
    count,
    hinted,
    positions,
    salts,
    ids,
    hints,
    erased,
    others,
    nodes,
  };
}

/**
 * The file's text: one entry, other and node a line, so that a proof of a million events reads
 * (and diffs) line by line; it is one JSON document all the same.
 */
export function formatExportProof(document: ExportProofDocument): string {
  const { entries, others, nodes, ...head } = document;
  const list = (items: readonly unknown[]) =>
    items.length === 0 ? '[]' : `[\n${items.map((item) => JSON.stringify(item)).join(',\n')}\n]`;
  const opening = JSON.stringify(head).slice(0, -1);
  return `${opening},\n"entries":${list(entries)},\n"others":${list(others)},\n"nodes":${list(nodes)}}\n`;
}
