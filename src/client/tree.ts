/**
 * The Merkle-tree routes of an organization's log (design: signed checkpoints, consistency
 * proofs, leaves): typed calls, no checking of what they say — src/verify does that, and a
 * server is never trusted to have answered truthfully.
 */
import type { AuditEvent } from '../domain/event.js';
import { logsPath } from './api-paths.js';
import type { AuditClient } from './client.js';
import type { CallOptions } from './client-options.js';

/** Leaves one `tree/leaves` call returns at most. */
export const MAX_LEAVES_PER_PAGE = 10_000;

export interface TreeInfo {
  origin: string;
  key: { name: string; verifier_key: string; fingerprint: string };
  sealed_size: number;
  checkpoint: { size: number; root: string; signed_at: string; note: string } | null;
}

export interface ConsistencyAnswer {
  first: number;
  second: number;
  hashes: string[];
}

/**
 * One leaf as the API lists it, a row: hash, commitment and salt in lowercase hex (salt null once
 * the event was erased or purged); fields the event's 18 export fields in CSV column order as
 * stored ("" for none, changes and metadata as their stored JSON text), null once it was purged.
 */
export type LeafRow = [
  position: number,
  hash: string,
  event_id: string,
  timestamp: string,
  category: string,
  commitment: string,
  salt: string | null,
  fields: string[] | null,
];

export interface LeafPage {
  data: LeafRow[];
  /** Events of the org among these leaves' seqs that no leaf stands for. */
  unsealed: AuditEvent[];
}

/** The tree's origin, the server's verifier key and the latest checkpoint. */
export async function getTree(client: AuditClient, options: CallOptions = {}): Promise<TreeInfo> {
  return (await client.request<{ data: TreeInfo }>('GET', `${logsPath(client.org)}/tree`, options)).body.data;
}

/** The latest signed checkpoint, the note's text verbatim. */
export function getCheckpointNote(client: AuditClient, options: CallOptions = {}): Promise<string> {
  return client.requestText(`${logsPath(client.org)}/checkpoint`, options);
}

export async function getConsistency(
  client: AuditClient,
  first: number,
  second: number,
  options: CallOptions = {},
): Promise<ConsistencyAnswer> {
  const path = `${logsPath(client.org)}/tree/consistency`;
  return (
    await client.request<{ data: ConsistencyAnswer }>('GET', path, { ...options, query: { first, second } })
  ).body.data;
}

/** Leaves [start, end), end - start ≤ MAX_LEAVES_PER_PAGE. */
export async function getLeaves(
  client: AuditClient,
  start: number,
  end: number,
  options: CallOptions = {},
): Promise<LeafPage> {
  const path = `${logsPath(client.org)}/tree/leaves`;
  return (await client.request<LeafPage>('GET', path, { ...options, query: { start, end } })).body;
}
