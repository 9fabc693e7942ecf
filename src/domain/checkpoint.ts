/**
 * The body of a transparency-log checkpoint (https://c2sp.org/tlog-checkpoint): the origin that
 * names the log, the tree size and the root hash, one per line, then optional extension lines.
 * It is the text of a signed note (signed-note.ts).
 */
import { HASH_BYTES } from './merkle/hashes.js';

export interface Checkpoint {
  /** The log's unique name, e.g. `audit.example.com/organizations/acme`: no spaces, no `+`. */
  origin: string;
  size: number;
  root: Buffer;
  /** Further lines the log adds (this server: `time <ISO 8601>`); each non-empty. */
  extensions: string[];
}

export class CheckpointError extends Error {
  override name = 'CheckpointError';
}

export function formatCheckpoint(checkpoint: Checkpoint): string {
  assertOrigin(checkpoint.origin);
  if (!Number.isSafeInteger(checkpoint.size) || checkpoint.size < 0) {
    throw new CheckpointError(`a tree size is a whole number, got ${checkpoint.size}`);
  }
  if (checkpoint.root.length !== HASH_BYTES) throw new CheckpointError('a root hash is 32 bytes');
  for (const line of checkpoint.extensions) {
    if (line === '' || line.includes('\n'))
      throw new CheckpointError('an extension line is one non-empty line');
  }
  return [
    checkpoint.origin,
    String(checkpoint.size),
    checkpoint.root.toString('base64'),
    ...checkpoint.extensions,
  ]
    .map((line) => `${line}\n`)
    .join('');
}

/** The checkpoint in a note's text; throws CheckpointError when it is not one. */
export function parseCheckpoint(text: string): Checkpoint {
  if (!text.endsWith('\n')) throw new CheckpointError('a checkpoint ends with a newline');
  const [origin = '', size = '', root = '', ...extensions] = text.slice(0, -1).split('\n');
  assertOrigin(origin);
  if (!/^(0|[1-9][0-9]{0,15})$/.test(size) || !Number.isSafeInteger(Number(size))) {
    throw new CheckpointError(`the second line is not a tree size: ${JSON.stringify(size.slice(0, 40))}`);
  }
  const hash = Buffer.from(root, 'base64');
  if (hash.length !== HASH_BYTES || hash.toString('base64') !== root) {
    throw new CheckpointError('the third line is not a base64 SHA-256 root hash');
  }
  if (extensions.some((line) => line === '')) throw new CheckpointError('a checkpoint has no empty lines');
  return { origin, size: Number(size), root: hash, extensions };
}

function assertOrigin(origin: string): void {
  if (origin === '' || /[\s+]/u.test(origin)) {
    throw new CheckpointError(`not a log origin: ${JSON.stringify(origin.slice(0, 80))} (no spaces, no "+")`);
  }
}
