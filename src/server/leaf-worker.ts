/**
 * The sealer's worker thread (seal-worker.ts), from the server's side: the leaves of the events
 * after a sequence number, computed off the event loop that serves requests. None when the
 * database is not a file another connection can open, or the worker's module is not there (the
 * sources run by a test runner, not the build): the sealer then computes leaves itself.
 */
import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Worker } from 'node:worker_threads';
import type { NewLeaf } from '../store/merkle-store.js';
import { type PackedLeaves, unpackLeaves } from './seal-leaves.js';
import type { LeavesJob } from './seal-worker.js';

const WORKER_FILE = new URL('./seal-worker.js', import.meta.url);

export interface LeafWorker {
  /** Whether the thread has started and opened its connection (until then, asking waits for it). */
  readonly ready: boolean;
  leaves(afterSeq: number, limit: number): Promise<NewLeaf[]>;
  close(): void;
}

/** `workerFile`: the worker's module (tests run the sources, whose worker is the build's). */
export function startLeafWorker(dbFile: string, workerFile = WORKER_FILE): LeafWorker | undefined {
  if (dbFile === '' || dbFile === ':memory:' || !existsSync(dbFile)) return undefined;
  if (!existsSync(fileURLToPath(workerFile))) return undefined;
  const worker = new Worker(workerFile, { workerData: { file: dbFile } });
  worker.unref();
  const waiting = new Map<number, { resolve(leaves: NewLeaf[]): void; reject(error: unknown): void }>();
  let failure: unknown;
  const failAll = (error: unknown) => {
    failure = error;
    for (const job of waiting.values()) job.reject(error);
    waiting.clear();
  };
  let ready = false;
  worker.on('message', (answer: { id: number; packed?: PackedLeaves; error?: string; ready?: true }) => {
    if (answer.ready) {
      ready = true;
      return;
    }
    const job = waiting.get(answer.id);
    waiting.delete(answer.id);
    if (answer.packed) job?.resolve(unpackLeaves(answer.packed));
    else job?.reject(new Error(`the sealer's worker failed: ${answer.error}`));
  });
  worker.on('error', failAll);
  worker.on('exit', () => failAll(new Error("the sealer's worker stopped")));
  let nextId = 0;
  return {
    get ready() {
      return ready && failure === undefined;
    },
    leaves(afterSeq, limit) {
      if (failure) return Promise.reject(failure);
      const id = nextId++;
      const job: LeavesJob = { id, afterSeq, limit };
      return new Promise((resolve, reject) => {
        waiting.set(id, { resolve, reject });
        worker.postMessage(job);
      });
    },
    close() {
      failAll(new Error("the sealer's worker was stopped"));
      worker.terminate().catch(() => {});
    },
  };
}

/**
 * A worker started when the sealer first asks for one (its first backlog): a server whose
 * ingest seals its own events may never need its thread, nor the thread's start-up.
 */
export function lazyLeafWorker(start: () => LeafWorker | undefined): LeafWorker {
  let worker: LeafWorker | undefined;
  let started = false;
  const startOnce = (): LeafWorker | undefined => {
    if (!started) {
      started = true;
      worker = start();
    }
    return worker;
  };
  return {
    get ready() {
      return startOnce()?.ready ?? false;
    },
    leaves(afterSeq, limit) {
      return (
        startOnce()?.leaves(afterSeq, limit) ?? Promise.reject(new Error("the sealer's worker did not start"))
      );
    },
    close() {
      started = true;
      worker?.close();
    },
  };
}
