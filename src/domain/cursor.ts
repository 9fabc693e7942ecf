/** Opaque keyset cursors: the (timestamp, sequence) of the last event of a page, and the order. */

export type SortOrder = 'asc' | 'desc';

export interface PageCursor {
  order: SortOrder;
  timestamp: number;
  seq: number;
}

export class CursorError extends Error {
  override readonly name = 'CursorError';
}

export function encodeCursor(cursor: PageCursor): string {
  const payload = JSON.stringify([1, cursor.order === 'asc' ? 'a' : 'd', cursor.timestamp, cursor.seq]);
  return Buffer.from(payload, 'utf8').toString('base64url');
}

export function decodeCursor(text: string): PageCursor {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text, 'base64url').toString('utf8'));
  } catch {
    throw new CursorError('not a cursor returned by this server');
  }
  if (!Array.isArray(parsed) || parsed.length !== 4 || parsed[0] !== 1) {
    throw new CursorError('not a cursor returned by this server');
  }
  const [, order, timestamp, seq] = parsed as [number, unknown, unknown, unknown];
  if ((order !== 'a' && order !== 'd') || !Number.isSafeInteger(timestamp) || !Number.isSafeInteger(seq)) {
    throw new CursorError('not a cursor returned by this server');
  }
  return { order: order === 'a' ? 'asc' : 'desc', timestamp: timestamp as number, seq: seq as number };
}
