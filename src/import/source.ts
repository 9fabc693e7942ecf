/**
 * The bytes of the file to import, decompressed when gzipped, and its format: from the name
 * when it says (.json, .ndjson, .jsonl, .csv, each maybe .gz), otherwise from the content.
 */
import { open } from 'node:fs/promises';
import { pipeline, Readable } from 'node:stream';
import { createGunzip } from 'node:zlib';
import { MalformedInputError } from './lines.js';

/** The input cannot be read as given (a directory, not gzip, unreadable): the user's to fix. */
export class ImportSourceError extends Error {
  override readonly name = 'ImportSourceError';
}

export const IMPORT_FORMATS = ['json', 'ndjson', 'csv'] as const;
export type ImportFormat = (typeof IMPORT_FORMATS)[number];

export interface ImportSource {
  /** What messages call it: the path, or "standard input". */
  name: string;
  format: ImportFormat;
  gzip: boolean;
  /** The content, decompressed; read once. */
  chunks: AsyncIterable<Buffer>;
}

const GZIP_MAGIC = [0x1f, 0x8b];
// Past this much leading whitespace the sniff gives up and the content is taken for CSV.
const SNIFF_LIMIT = 64 * 1024;

/** By name: `.gz` stripped, then the extension; undefined when it does not say. */
export function formatOfName(name: string): ImportFormat | undefined {
  const base = name.toLowerCase().replace(/\.gz$/, '');
  if (base.endsWith('.csv')) return 'csv';
  if (base.endsWith('.json')) return 'json';
  if (base.endsWith('.ndjson') || base.endsWith('.jsonl')) return 'ndjson';
  return undefined;
}

/**
 * By content, from the first byte that is not whitespace (a byte order mark skipped):
 * `[` a JSON array, `{` NDJSON, anything else CSV. Undefined for empty content.
 */
export function sniffFormat(head: Buffer): ImportFormat | undefined {
  const first = firstSignificantByte(head);
  if (first === undefined) return undefined;
  if (first === 0x5b) return 'json';
  if (first === 0x7b) return 'ndjson';
  return 'csv';
}

function firstSignificantByte(head: Buffer): number | undefined {
  let index = head[0] === 0xef && head[1] === 0xbb && head[2] === 0xbf ? 3 : 0;
  for (; index < head.length; index++) {
    const byte = head[index] as number;
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte;
  }
  return undefined;
}

export function isGzip(head: Buffer): boolean {
  return head[0] === GZIP_MAGIC[0] && head[1] === GZIP_MAGIC[1];
}

/**
 * The format of content named `name` starting with `head`. The name decides CSV; between JSON
 * and NDJSON the content decides (a `.json` file of one event per line is read as NDJSON).
 */
export function chooseFormat(name: string, head: Buffer): ImportFormat {
  const byName = formatOfName(name);
  const byContent = sniffFormat(head);
  if (byName === 'csv') return 'csv';
  if (byName !== undefined && byContent !== 'json' && byContent !== 'ndjson') return byName;
  return byContent ?? 'ndjson';
}

/** `file` (or stdin for `-`) opened: a missing or unreadable file is a usage error (exit 2). */
export async function openImportSource(file: string, stdin: NodeJS.ReadableStream): Promise<ImportSource> {
  const name = file === '-' ? 'standard input' : file;
  const raw = file === '-' ? (stdin as AsyncIterable<Buffer>) : await openFile(file);
  try {
    const checked = readErrorsAsUsage(raw, name);
    const compressed = await peek(checked, (head) => head.length >= 2);
    const gzip = isGzip(compressed.head);
    if (!gzip && file !== '-' && /\.gz$/i.test(file) && compressed.head.length > 0) {
      throw new ImportSourceError(`${name} is named .gz but is not gzip-compressed`);
    }
    const content = gzip ? gunzip(compressed.chunks) : compressed.chunks;
    const sniffed = await peek(
      content,
      (head) => firstSignificantByte(head) !== undefined || head.length > SNIFF_LIMIT,
    );
    return { name, format: chooseFormat(file, sniffed.head), gzip, chunks: sniffed.chunks };
  } catch (error) {
    // A file refused before its chunks are handed over is closed here, not by the collector.
    if (raw !== stdin) (raw as Readable).destroy();
    throw error;
  }
}

async function openFile(file: string): Promise<AsyncIterable<Buffer>> {
  try {
    const handle = await open(file, 'r');
    const stats = await handle.stat().catch(async (error: unknown) => {
      await handle.close();
      throw error;
    });
    if (stats.isDirectory()) {
      await handle.close();
      throw new ImportSourceError(`cannot read ${file}: it is a directory`);
    }
    return handle.createReadStream();
  } catch (error) {
    if (error instanceof ImportSourceError) throw error;
    throw new ImportSourceError(`cannot read ${file}: ${describeFsError(error)}`);
  }
}

function describeFsError(error: unknown): string {
  const code = (error as { code?: string }).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return error instanceof Error ? error.message : String(error);
}

async function* readErrorsAsUsage(
  chunks: AsyncIterable<Buffer | string>,
  name: string,
): AsyncGenerator<Buffer> {
  try {
    for await (const chunk of chunks) yield typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
  } catch (error) {
    throw new ImportSourceError(`cannot read ${name}: ${describeFsError(error)}`);
  }
}

async function* gunzip(chunks: AsyncIterable<Buffer>): AsyncGenerator<Buffer> {
  const inflater = createGunzip();
  pipeline(Readable.from(chunks), inflater, () => {});
  try {
    yield* inflater;
  } catch (error) {
    const code = (error as { code?: string }).code;
    if (typeof code === 'string' && code.startsWith('Z_')) {
      throw new MalformedInputError(
        undefined,
        `the gzip data is corrupt or truncated (${(error as Error).message})`,
      );
    }
    throw error;
  } finally {
    inflater.destroy();
  }
}

/** Reads until `enough(head)` (or the end) and hands back the head and every chunk, the head's included. */
async function peek(
  source: AsyncIterable<Buffer>,
  enough: (head: Buffer) => boolean,
): Promise<{ head: Buffer; chunks: AsyncIterable<Buffer> }> {
  const iterator = source[Symbol.asyncIterator]();
  const taken: Buffer[] = [];
  let head: Buffer = Buffer.alloc(0);
  while (!enough(head)) {
    const next = await iterator.next();
    if (next.done) break;
    taken.push(next.value);
    head = taken.length === 1 ? next.value : Buffer.concat(taken);
  }
  async function* chunks(): AsyncGenerator<Buffer> {
    yield* taken;
    yield* { [Symbol.asyncIterator]: () => iterator };
  }
  return { head, chunks: chunks() };
}
