import { CursorError, decodeCursor, type PageCursor } from '../domain/cursor.js';
import type { PositionCodec } from './stream-position.js';

const VERSION = 2;

/**
 * The list API's keyset cursors as clients see them: order, the last event's own timestamp,
 * and its opaque position (stream-position), since the plain sequence would count every
 * organization's events. A version 1 cursor of an older server, with its plain sequence, is
 * honoured while that sequence is one the older server could have issued.
 */
export function createCursorCodec(positions: PositionCodec) {
  return {
    encode(orgId: number, cursor: PageCursor): string {
      const order = cursor.order === 'asc' ? 'a' : 'd';
      const payload = [VERSION, order, cursor.timestamp, positions.encode(orgId, cursor.seq)];
      return Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
    },

    /** The cursor, for this organization only; a CursorError for anything else. */
    decode(orgId: number, text: string): PageCursor {
      const legacy = tryDecodeLegacy(text);
      const cursor = legacy ? { ...legacy, seq: String(legacy.seq) } : decodeCurrent(text);
      const seq = positions.decode(orgId, cursor.seq);
      if (seq === undefined) throw new CursorError('not a cursor returned by this server');
      return { ...cursor, seq };
    },
  };
}

export type CursorCodec = ReturnType<typeof createCursorCodec>;

function tryDecodeLegacy(text: string): PageCursor | undefined {
  try {
    return decodeCursor(text);
  } catch {
    return undefined;
  }
}

/** A version 2 cursor with its position still encrypted, as `seq` text to decode. */
function decodeCurrent(text: string): Omit<PageCursor, 'seq'> & { seq: string } {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    parsed = undefined;
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== VERSION)
    throw new CursorError('not a cursor returned by this server');
  const [, order, timestamp, position] = parsed as [number, unknown, unknown, unknown];
  // A whole-number position would be read as a legacy one: version 2 carries only opaque ones.
  if (
    (order !== 'a' && order !== 'd') ||
    !Number.isSafeInteger(timestamp) ||
    typeof position !== 'string' ||
    /^\d+$/.test(position)
  ) {
    throw new CursorError('not a cursor returned by this server');
  }
  return { order: order === 'a' ? 'asc' : 'desc', timestamp: timestamp as number, seq: position };
}
