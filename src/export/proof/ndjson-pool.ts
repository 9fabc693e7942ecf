/**
 * The rows of an NDJSON export with their leaf hashes computed by worker threads and this one,
 * in file order: what exportRows('ndjson', …) gives plus each row's hash, so that `audit verify
 * FILE` parses and hashes on every core. The file is cut into runs of whole lines; a run is hashed
 * with the salts of the entries its rows are guessed to be (one row a line); a guess that
 * proves wrong when the run's turn comes (blank lines) is hashed again with the right ones.
 */
import { existsSync } from 'node:fs';
import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { FileRow } from './export-rows.js';
import { type HashedChunk, hashNdjsonChunk, lineCountOf, UNREADABLE } from './ndjson-chunk.js';
import type { ChunkJob } from './ndjson-worker.js';

// Enough lines to make a message worth sending; the worker decodes them 64 KiB at a time.
const RUN_BYTES = 256 * 1024;
const WORKER_FILE = new URL('./ndjson-worker.js', import.meta.url);
/**
 * By default this thread hashes one run in 4 × workers itself: between reading the file, posting
 * runs and checking rows it would otherwise wait, while a worker per core would leave three
 * threads to share two cores. 1,000,000 rows on 2 cores (alternating runs, medians of 7): two
 * workers 7.35 s, one 7.05 s, one worker and every 4th run here 6.50 s.
 */
const HERE_SHARE = 4;

/**
 * Worker threads to use: AUDIT_VERIFY_WORKERS if set (0: none), else one fewer than the cores
 * (at least one), because this thread hashes runs too (PoolOptions.hereEvery). None when the
 * worker's module is not there (the sources run by a test runner, not the build).
 */
export function verifyWorkerCount(env: NodeJS.ProcessEnv): number {
  if (WORKER_FILE.protocol !== 'file:' || !existsSync(fileURLToPath(WORKER_FILE))) return 0;
  const asked = env.AUDIT_VERIFY_WORKERS;
  if (asked !== undefined && /^\d{1,2}$/.test(asked)) return Number(asked);
  return Math.max(1, Math.min(availableParallelism() - 1, 8));
}

interface Run {
  bytes: Buffer;
  firstLine: boolean;
  guess: number;
  result: Promise<HashedChunk>;
}

export interface PoolOptions {
  /** Bytes of a run of lines sent to a worker (at least; up to the next newline). */
  runBytes?: number;
  /** The worker's module (tests run the sources, whose worker is the build's). */
  workerFile?: URL;
  /** One run in this many is hashed on this thread instead of a worker (0: none; default HERE_SHARE × workers). */
  hereEvery?: number;
  /** Called with n before rows up to entry n are hashed: the salts before n must then be in `salts`. */
  saltsUpTo?: (n: number) => void;
}

export async function* pooledNdjsonRows(
  chunks: AsyncIterable<Buffer>,
  salts: Buffer,
  count: number,
  workerCount: number,
  options: PoolOptions = {},
): AsyncGenerator<FileRow[]> {
  const runBytes = options.runBytes ?? RUN_BYTES;
  const hereEvery = options.hereEvery ?? HERE_SHARE * workerCount;
  // Salts already in shared memory (a proof opened lazily fills them as it goes) are not copied.
  let shared = salts.buffer;
  if (
    !(shared instanceof SharedArrayBuffer) ||
    salts.byteOffset !== 0 ||
    shared.byteLength !== salts.length
  ) {
    shared = new SharedArrayBuffer(salts.length);
    new Uint8Array(shared).set(salts);
  }
  const saltBytes = new Uint8Array(shared);
  const saltsUpTo = (n: number) => options.saltsUpTo?.(Math.min(count, n));
  const workers = Array.from(
    { length: workerCount },
    () => new Worker(options.workerFile ?? WORKER_FILE, { workerData: { salts: shared, count } }),
  );
  const waiting = new Map<number, { resolve(chunk: HashedChunk): void; reject(error: unknown): void }>();
  let failure: unknown;
  for (const worker of workers) {
    worker.on('message', ({ id, chunk }: { id: number; chunk: HashedChunk }) => {
      waiting.get(id)?.resolve(chunk);
      waiting.delete(id);
    });
    worker.on('error', (error) => {
      failure = error;
      for (const job of waiting.values()) job.reject(error);
      waiting.clear();
    });
  }
  let nextId = 0;
  const hash = (bytes: Buffer, firstLine: boolean, firstIndex: number): Promise<HashedChunk> => {
    if (failure) return Promise.reject(failure);
    const id = nextId++;
    if (hereEvery > 0 && id % hereEvery === hereEvery - 1) {
      try {
        return Promise.resolve(hashNdjsonChunk(bytes, firstLine, firstIndex, saltBytes, count));
      } catch (error) {
        return Promise.reject(error);
      }
    }
    const job: ChunkJob = { id, bytes, firstLine, firstIndex };
    const result = new Promise<HashedChunk>((resolve, reject) => waiting.set(id, { resolve, reject }));
    result.catch(() => {}); // awaited in order below
    (workers[id % workers.length] as Worker).postMessage(job);
    return result;
  };

  const queue: Run[] = [];
  let guess = 0;
  let line = 1;
  let index = 0;
  let first = true;
  const send = (bytes: Buffer) => {
    const lines = lineCountOf(bytes);
    saltsUpTo(guess + lines);
    queue.push({ bytes, firstLine: first, guess, result: hash(bytes, first, guess) });
    first = false;
    guess += lines;
  };
  /** The oldest run's rows, hashed with the right salts. */
  async function* drain(until: number): AsyncGenerator<FileRow[]> {
    while (queue.length > until) {
      const run = queue.shift() as Run;
      let chunk = await run.result;
      if (chunk.firstIndex !== index) {
        guess += index - chunk.firstIndex;
        saltsUpTo(index + chunk.lineCount);
        chunk = await hash(run.bytes, run.firstLine, index);
      }
      yield rowsOf(chunk, line);
      line += chunk.lineCount;
      index += chunk.rows;
    }
  }
  try {
    let parts: Buffer[] = [];
    let length = 0;
    for await (const bytes of chunks) {
      parts.push(bytes);
      length += bytes.length;
      if (length < runBytes || bytes.lastIndexOf(0x0a) === -1) continue;
      const joined = Buffer.concat(parts, length);
      const end = joined.lastIndexOf(0x0a);
      send(joined.subarray(0, end));
      parts = [joined.subarray(end + 1)];
      length = joined.length - end - 1;
      yield* drain(2 * workers.length);
    }
    if (length > 0) send(Buffer.concat(parts, length));
    yield* drain(0);
  } finally {
    await Promise.all(workers.map((worker) => worker.terminate()));
  }
}

function rowsOf(chunk: HashedChunk, firstLine: number): FileRow[] {
  const rows: FileRow[] = new Array(chunk.rows);
  let problem = 0;
  for (let r = 0; r < chunk.rows; r++) {
    const line = firstLine + (chunk.lines[r] as number);
    const kind = chunk.kinds[r];
    if (kind === UNREADABLE) {
      rows[r] = { line, problem: chunk.problems[problem++] as string };
      continue;
    }
    const ends = chunk.headerEnds;
    const start = r === 0 ? 0 : (ends[3 * r - 1] as number);
    const fields = [
      chunk.headerText.slice(start, ends[3 * r]),
      chunk.headerText.slice(ends[3 * r], ends[3 * r + 1]),
      chunk.headerText.slice(ends[3 * r + 1], ends[3 * r + 2]),
    ];
    const hash = Buffer.from(chunk.hashes.buffer, chunk.hashes.byteOffset + 32 * r, 32);
    rows[r] = { line, fields, hashed: { index: chunk.firstIndex + r, hash } };
  }
  return rows;
}
