/**
 * What one listed leaf says, checked on its own (src/verify/full-check.ts puts the leaves
 * together): its leaf hash recomputed from what the row says, and whether its event is gone
 * (purged), salt-less (erased), somewhere else (moved), changed, or proved against its commitment.
 */
import { leafHashOfTextBinary } from '../domain/merkle/hashes.js';
import { leafText } from '../domain/merkle/leaf.js';
import { checkLeafFieldsBase64 } from './leaf-fields.js';
import { TamperEvidence } from './problems.js';

export const ERASURE_ACTION = 'gdpr.user_erased';
export const PURGE_ACTION = 'audit.retention_purged';

export interface LeafOutcome {
  /** The leaf hash of what the row says, as 'binary' text. */
  leafHash: string;
  id: string;
  timestamp: string;
  state: 'purged' | 'moved' | 'erased' | 'changed' | 'checked';
  /** For `moved`: the id of the event the log holds at that position. */
  heldId?: string;
  /** For `checked` of an erasure or purge record: what it says, to account for other leaves. */
  record?: { action: string; metadata: unknown };
}

/** The outcome of the row listed at `position` (a row as JSON.parse made it); else a bad answer. */
export function leafOutcome(row: unknown, position: number): LeafOutcome {
  const valid =
    Array.isArray(row) &&
    row.length === 8 &&
    row[0] === position &&
    typeof row[2] === 'string' &&
    typeof row[3] === 'string' &&
    typeof row[4] === 'string' &&
    (row[7] === null || (Array.isArray(row[7]) && row[7].length === 18));
  const commitment = valid ? hexBytes(row[5]) : undefined;
  const salt = valid && row[6] !== null ? hexBytes(row[6]) : null;
  if (!valid || commitment === undefined || salt === undefined) {
    throw new TamperEvidence({
      kind: 'bad-answer',
      message: `the server's leaf at position ${position} is malformed`,
    });
  }
  const [, , id, timestamp, category, , , fields] = row as [
    ...[unknown, unknown, string, string, string],
    ...[unknown, unknown, unknown[] | null],
  ];
  const commitmentBase64 = commitment.toString('base64');
  const leafHash = leafHashOfTextBinary(leafText({ id, timestamp, category }, commitmentBase64));
  if (fields === null) return { leafHash, id, timestamp, state: 'purged' };
  const listed = fields;
  if (listed[0] !== id || listed[1] !== timestamp || listed[2] !== category)
    return { leafHash, id, timestamp, state: 'moved', heldId: String(listed[0]) };
  if (salt === null) return { leafHash, id, timestamp, state: 'erased' };
  const checked = checkLeafFieldsBase64(listed, salt, commitmentBase64);
  if (!checked.matches) return { leafHash, id, timestamp, state: 'changed' };
  const action = listed[3];
  if (action !== ERASURE_ACTION && action !== PURGE_ACTION)
    return { leafHash, id, timestamp, state: 'checked' };
  return { leafHash, id, timestamp, state: 'checked', record: { action, metadata: checked.metadata } };
}

/** 32 bytes from 64 hex digits (Buffer.from stops at the first non-hex one), else undefined. */
function hexBytes(value: unknown): Buffer | undefined {
  if (typeof value !== 'string' || value.length !== 64) return undefined;
  const bytes = Buffer.from(value, 'hex');
  return bytes.length === 32 ? bytes : undefined;
}
