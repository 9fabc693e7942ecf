/**
 * The text of an export file as batches of lines, numbered from 1: the file is read in large
 * chunks, gunzipped when its first bytes say gzip (whatever its name), and never held whole.
 */
import { open } from 'node:fs/promises';
import { StringDecoder } from 'node:string_decoder';
import { createGunzip } from 'node:zlib';

export interface LineBatch {
  /** The number of the first line of `lines`. */
  first: number;
  lines: string[];
}

const CHUNK_BYTES = 1024 * 1024;

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
 */
export async function* textLines(chunks: AsyncIterable<Buffer>): AsyncGenerator<LineBatch> {
  const decoder = new StringDecoder('utf8');
  let pending = '';
  let next = 1;
  for await (const chunk of chunks) {
    const text = pending + decoder.write(chunk);
    const lines = text.split('\n');
    pending = lines.pop() as string;
    if (next === 1 && lines[0]?.startsWith('\uFEFF')) lines[0] = lines[0].slice(1);
    if (lines.length === 0) continue;
    yield { first: next, lines };
    next += lines.length;
  }
  pending += decoder.end();
  if (pending !== '') yield { first: next, lines: [next === 1 ? pending.replace(/^\uFEFF/, '') : pending] };
}
