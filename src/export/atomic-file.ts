/**
 * Output files that never look finished before they are: data goes to `NAME.partial` (mode
 * 0600, never opened through a link: safe-partial.ts), which is flushed, fsynced and renamed to
 * NAME only when complete, then the directory is fsynced so the rename itself survives a power
 * cut. `-` is standard output, with no partial.
 */
import type { FileHandle } from 'node:fs/promises';
import { lstat, open, rename, unlink } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { Writable } from 'node:stream';
import { pipeline } from 'node:stream/promises';
import { createGzip } from 'node:zlib';
import { asOutputFileError, OutputFileError } from './output-error.js';
import { assertNotSymlink, openPartial } from './safe-partial.js';

export interface OutputFile {
  /** Where the format writer writes: the file, a gzip stream in front of it, or stdout. */
  readonly stream: NodeJS.WritableStream;
  /** The final name; '-' for stdout. */
  readonly path: string;
  /** What is written until `commit`; undefined for stdout. */
  readonly partialPath: string | undefined;
  /** True when this continues a non-empty `NAME.partial` left by an interrupted export. */
  readonly appended: boolean;
  /** Flush, fsync, rename `NAME.partial` to NAME, fsync the directory. */
  commit(): Promise<void>;
  /** Flush, fsync and close, leaving `NAME.partial` for a resume to append to. */
  keep(): Promise<void>;
  /** Stop writing and remove `NAME.partial`. */
  discard(): Promise<void>;
}

export interface OutputFileOptions {
  /** gzip the content; also implied by a name ending in `.gz`. */
  gzip?: boolean;
  /** Append to an existing `NAME.partial` instead of starting it over. */
  append?: boolean;
  /** What `-` means; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /**
   * The user named this very path (`-o`): a symbolic link there is replaced by the file, as
   * asked. Names the program made up (defaults, --split periods, backups) refuse a link.
   */
  namedByUser?: boolean;
}

export const STDOUT = '-';

export function partialPathOf(path: string): string {
  return `${path}.partial`;
}

export function isGzipName(path: string): boolean {
  return /\.gz$/i.test(path);
}

export async function openOutputFile(path: string, options: OutputFileOptions = {}): Promise<OutputFile> {
  const gzip = options.gzip === true || isGzipName(path);
  if (path === STDOUT) return openStdout(options.stdout ?? process.stdout, gzip);
  const partialPath = partialPathOf(path);
  const { handle, appended } = await openTarget(path, partialPath, options).catch((error: unknown) => {
    throw asOutputFileError(error, path);
  });
  let file: Writable;
  try {
    file = handle.createWriteStream({ autoClose: false });
  } catch (error) {
    await handle.close();
    throw error;
  }
  let failure: Error | undefined;
  file.on('error', (error: Error) => {
    failure ??= error;
  });
  // A gzip member per run: appending a new member to an interrupted file is still valid gzip.
  const compressor = gzip ? createGzip() : undefined;
  const piped = compressor ? pipeline(compressor, file) : undefined;
  piped?.catch((error: Error) => {
    failure ??= error;
  });
  let state: 'open' | 'closed' = 'open';
  const background = syncAsItGrows(handle, file);

  const flushAndClose = async () => {
    if (state === 'closed') return;
    state = 'closed';
    try {
      if (compressor) {
        if (!compressor.writableEnded) compressor.end();
        await piped;
      } else await endAndWait(file);
      if (failure) throw failure;
      await background.stop();
      await handle.sync();
    } finally {
      await background.stop();
      await releaseHandle(file, handle);
    }
  };

  return {
    stream: compressor ?? file,
    path,
    partialPath,
    appended,
    async commit() {
      await flushAndClose();
      await rename(partialPath, path);
      await syncDirectory(dirname(path));
    },
    keep: flushAndClose,
    async discard() {
      if (state === 'open') {
        state = 'closed';
        compressor?.destroy();
        await releaseHandle(file, handle);
      }
      await unlink(partialPath).catch((error: NodeJS.ErrnoException) => {
        if (error.code !== 'ENOENT') throw error;
      });
    },
  };
}

/** Checks what is at `path` (a directory, a link) before the partial next to it is opened. */
async function openTarget(path: string, partialPath: string, options: OutputFileOptions) {
  if (options.namedByUser !== true) await assertNotSymlink(path);
  // Found now, not by the rename after the whole export was written.
  const existing = await lstat(path).catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw error;
  });
  if (existing?.isDirectory()) throw new OutputFileError(path, 'is-a-directory');
  return openPartial(partialPath, options.append === true);
}

function openStdout(stdout: NodeJS.WritableStream, gzip: boolean): OutputFile {
  const compressor = gzip ? createGzip() : undefined;
  // stdout stays open: the process owns it, and other output may follow on stderr only.
  compressor?.pipe(stdout as Writable, { end: false });
  const finish = async () => {
    if (!compressor || compressor.writableEnded) return;
    const flushed = new Promise<void>((resolve, reject) => {
      compressor.once('end', resolve);
      compressor.once('error', reject);
    });
    compressor.end();
    await flushed;
  };
  return {
    stream: compressor ?? stdout,
    path: STDOUT,
    partialPath: undefined,
    appended: false,
    commit: finish,
    keep: finish,
    async discard() {
      compressor?.unpipe();
      compressor?.destroy();
    },
  };
}

/** Ends `stream` (unless a writer such as a PDF renderer already did) and waits until it is flushed. */
function endAndWait(stream: Writable): Promise<void> {
  if (stream.writableFinished) return Promise.resolve();
  return new Promise((resolve, reject) => {
    stream.once('finish', resolve);
    stream.once('error', reject);
    if (!stream.writableEnded) stream.end();
  });
}

/**
 * A stream made with `autoClose: false` holds a reference on its FileHandle until it is destroyed,
 * and `handle.close()` waits for that: destroy first, then close.
 */
/** How much new data makes a background flush worth starting. */
const SYNC_EVERY_BYTES = 16 * 1024 * 1024;

/**
 * Flushes the file to disk in the background while it is written, so the fsync that a commit
 * waits for has only the last part left: for a 76 MB export it took 160 ms at the end, which
 * the export spent doing nothing else. The commit's own fsync still makes the file durable.
 */
function syncAsItGrows(handle: FileHandle, file: Writable & { bytesWritten?: number }) {
  let synced = 0;
  let inFlight: Promise<void> | undefined;
  const timer = setInterval(() => {
    const written = file.bytesWritten ?? 0;
    if (inFlight || written - synced < SYNC_EVERY_BYTES) return;
    inFlight = handle
      .datasync()
      .then(() => {
        synced = written;
      })
      // A failure here is the commit's to report: its own fsync meets the same error.
      .catch(() => undefined)
      .finally(() => {
        inFlight = undefined;
      });
  }, 100);
  timer.unref();
  return {
    async stop(): Promise<void> {
      clearInterval(timer);
      await inFlight;
    },
  };
}

async function releaseHandle(file: Writable, handle: FileHandle): Promise<void> {
  if (!file.closed) {
    const closed = new Promise((resolve) => file.once('close', resolve));
    file.destroy();
    await closed;
  }
  await handle.close().catch(() => undefined);
}

/** Makes a rename durable. Best effort: some platforms and filesystems cannot fsync a directory. */
export async function syncDirectory(dir: string): Promise<void> {
  let handle: FileHandle | undefined;
  try {
    handle = await open(dir, 'r');
    await handle.sync();
  } catch {
    // EISDIR/EPERM/EINVAL on Windows and some network filesystems: the rename still happened.
  } finally {
    await handle?.close().catch(() => undefined);
  }
}
