/** A worker thread of ndjson-pool.ts: hashes the runs of lines it is sent (ndjson-chunk.ts). */
import { parentPort, workerData } from 'node:worker_threads';
import { hashNdjsonChunk } from './ndjson-chunk.js';

export interface ChunkJob {
  id: number;
  bytes: Uint8Array;
  firstLine: boolean;
  firstIndex: number;
}

const { salts, count } = workerData as { salts: SharedArrayBuffer; count: number };
const saltBytes = new Uint8Array(salts);

parentPort?.on('message', ({ id, bytes, firstLine, firstIndex }: ChunkJob) => {
  const chunk = hashNdjsonChunk(
    Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
    firstLine,
    firstIndex,
    saltBytes,
    count,
  );
  const owned = [
    chunk.lines.buffer,
    chunk.kinds.buffer,
    chunk.hashes.buffer,
    chunk.headerEnds.buffer,
  ] as ArrayBuffer[];
  parentPort?.postMessage({ id, chunk }, owned);
});
