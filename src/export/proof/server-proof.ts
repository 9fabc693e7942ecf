/**
 * What an export asks the server for its proof: the log's tree (its signing key and latest
 * checkpoint) and a range proof of the export's filters within that checkpoint's tree.
 */

import { logsPath } from '../../client/api-paths.js';
import type { AuditClient } from '../../client/client.js';
import { AuditApiError } from '../../client/errors.js';
import type { ListParams } from '../../client/types.js';

/** The log's tree as `GET …/audit-logs/tree` shows it. */
export interface LogTree {
  origin: string;
  key: { name: string; verifier_key: string; fingerprint: string };
  sealed_size: number;
  checkpoint: { size: number; root: string; signed_at: string; note: string } | null;
}

/** The tree, or undefined when the server has no tree (an older server: 404). */
export async function fetchLogTree(client: AuditClient, signal?: AbortSignal): Promise<LogTree | undefined> {
  try {
    const answer = await client.request<{ data: LogTree }>('GET', `${logsPath(client.org)}/tree`, { signal });
    const tree = answer.body?.data;
    if (typeof tree?.key?.verifier_key !== 'string')
      throw new Error('the server answered a tree without its key');
    return tree;
  } catch (error) {
    // A server from before trees (an unknown organization is said by the export's own list call).
    if (error instanceof AuditApiError && error.status === 404) return undefined;
    throw error;
  }
}

/** The range proof (`data` of `GET …/audit-logs/tree/proof`) of the list filters within the first `treeSize` leaves. */
export async function fetchRangeProof(
  client: AuditClient,
  params: ListParams,
  treeSize: number,
  signal?: AbortSignal,
): Promise<unknown> {
  const query = { ...params, tree_size: treeSize };
  const answer = await client.request<{ data: unknown }>('GET', `${logsPath(client.org)}/tree/proof`, {
    query,
    signal,
  });
  return answer.body?.data;
}
