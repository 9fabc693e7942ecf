/**
 * A worker thread of the tree sealer (leaf-worker.ts): reads the events after a sequence number
 * on a read-only connection of its own and answers their leaves. It writes nothing; the sealer
 * stores the leaves, after checking that nothing it was computed from changed meanwhile.
 */

import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';
import { leavesOf } from '../store/event-leaves.js';
import { createEventReads } from '../store/event-reads.js';
import { packLeaves } from './seal-leaves.js';

export interface LeavesJob {
  id: number;
  afterSeq: number;
  limit: number;
}

const db = new Database((workerData as { file: string }).file, { readonly: true });
db.pragma('busy_timeout = 5000');
const events = createEventReads(db);
parentPort?.postMessage({ ready: true });

parentPort?.on('message', ({ id, afterSeq, limit }: LeavesJob) => {
  try {
    const packed = packLeaves(leavesOf(events.readFrom(afterSeq, limit)));
    parentPort?.postMessage({ id, packed }, [
      packed.seqs.buffer,
      packed.orgIds.buffer,
      packed.bytes.buffer,
    ] as ArrayBuffer[]);
  } catch (error) {
    parentPort?.postMessage({ id, error: String(error) });
  }
});
