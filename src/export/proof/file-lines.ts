/**
 * The text of an export file as batches of lines, numbered from 1: the file is read in large
 * chunks, gunzipped when its first bytes say gzip (whatever its name), and never held whole.
 */
import { open } from 'node:fs/promises';
import { createGunzip } from 'node:zlib';

export interface LineBatch {
  /** The number of the first line of `lines`. */
  first: number;
  lines: string[];
}

const CHUNK_BYTES = 64 * 1024;

/** Whether the file starts with the gzip magic bytes. */
export async function isGzipFile(path: string): Promise<boolean> {
  const handle = await open(path, 'r');
  try {
    const head = Buffer.alloc(2);
    const { bytesRead } = await handle.read(head, 0, 2, 0);
    return bytesRead === 2 && head[0] === 0x1f && head[1] === 0x8b;
  } finally {
    await handle.close();
  }
}

/** The decompressed bytes of `path`. */
export async function* fileBytes(path: string): AsyncGenerator<Buffer> {
  const gzip = await isGzipFile(path);
  const handle = await open(path, 'r');
  const stream = handle.createReadStream({ highWaterMark: CHUNK_BYTES });
  try {
    if (!gzip) {
      yield* stream as AsyncIterable<Buffer>;
      return;
    }
    const inflater = createGunzip({ chunkSize: CHUNK_BYTES });
    stream.on('error', (error) => inflater.destroy(error));
    stream.pipe(inflater);
    try {
      yield* inflater as AsyncIterable<Buffer>;
    } catch (error) {
      const code = (error as { code?: string }).code;
      if (typeof code === 'string' && code.startsWith('Z_'))
        throw new TruncatedGzipError(`the gzip data is corrupt or cut off (${(error as Error).message})`);
      throw error;
    } finally {
      inflater.destroy();
    }
  } finally {
    stream.destroy();
    await handle.close().catch(() => undefined);
  }
}

export class TruncatedGzipError extends Error {
  override readonly name = 'TruncatedGzipError';
}

/**
 * Lines split on `\n` (a trailing `\r` is left for the reader to judge: inside a quoted CSV cell
 * it is data). A last line without a newline is given too; a byte order mark at the start is dropped.
 * Each chunk is decoded up to its last newline at once: `\n` never occurs inside a UTF-8
 * sequence, so no character is cut, and only the bytes after it wait for the next chunk.
 */
export async function* textLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<LineBatch> {
  let rest: Buffer = Buffer.alloc(0);
  let next = 1;
  for await (const chunk of chunks) {
    const end = chunk.lastIndexOf(0x0a);
    if (end === -1) {
      rest = Buffer.concat([rest, chunk]);
      continue;
    }
    // The line the last chunk left unfinished ends at this chunk's first newline.
    const first = chunk.indexOf(0x0a);
    const head = Buffer.concat([rest, chunk.subarray(0, first)]).toString('utf8');
    const lines = end > first ? [head].concat(chunk.toString('utf8', first + 1, end).split('\n')) : [head];
    rest = chunk.subarray(end + 1);
    if (next === 1 && lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
    yield { first: next, lines };
    next += lines.length;
  }
  if (rest.length > 0) {
    const text = rest.toString('utf8');
    yield { first: next, lines: [next === 1 ? text.replace(/^\uFEFF/, '') : text] };
  }
}
