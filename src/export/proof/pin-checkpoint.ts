/** The checkpoint a proved export is pinned to, or why there is none to pin to. */
import type { AuditClient } from '../../client/client.js';
import { AuditApiError } from '../../client/errors.js';
import { getLeaves } from '../../client/tree.js';
import type { ListParams } from '../../client/types.js';
import { type PinnedTree, pinnedTree } from './export-proofs.js';
import { fetchLogTree } from './server-proof.js';

/** The server cannot prove an export: it keeps no tree, or has signed no checkpoint yet. */
export class ProofUnavailableError extends Error {
  override readonly name = 'ProofUnavailableError';
  constructor(
    message: string,
    /** The server has no tree endpoints at all (404): an older server. */
    readonly noTree: boolean,
  ) {
    super(message);
  }
}

export async function pinCheckpoint(client: AuditClient, signal?: AbortSignal): Promise<PinnedTree> {
  const tree = await fetchLogTree(client, signal);
  if (!tree)
    throw new ProofUnavailableError(
      'the server keeps no Merkle tree of this log (GET …/audit-logs/tree: 404; a server older than audit verify)',
      true,
    );
  const pinned = pinnedTree(tree);
  if (!pinned)
    throw new ProofUnavailableError(
      "the server has not signed a checkpoint of this organization's log yet (it signs one soon after events arrive); try again in a minute",
      false,
    );
  return pinned;
}

export interface CoveringOptions {
  /** The list filters of the export: only events they match need be covered. */
  params: ListParams;
  /** Give up after this long (default 75 s: a checkpoint is signed at least once a minute). */
  timeoutMs?: number;
  pollMs?: number;
  signal?: AbortSignal | undefined;
}

const OWN_RECORD = 'audit.checkpoint_signed';

/**
 * A checkpoint whose tree holds every event of the export's filters the server had when this
 * was called, so that an export pinned to it leaves out nothing (a backup must be whole). Most
 * often the latest is one: no event of the range came after it. Otherwise the server signs the
 * next one within its interval, which this waits for. Undefined when none came in time.
 */
export async function pinCoveringCheckpoint(
  client: AuditClient,
  options: CoveringOptions,
): Promise<PinnedTree | undefined> {
  const { timeoutMs = 75_000, pollMs = 250, signal } = options;
  const first = await fetchLogTree(client, signal);
  if (!first) throw new ProofUnavailableError('the server keeps no Merkle tree of this log (404)', true);
  const latest = pinnedTree(first);
  if (latest && latest.size > 0 && !(await newerEventsMatch(client, latest.size, options.params, signal)))
    return latest;
  const wanted = first.sealed_size;
  const deadline = Date.now() + timeoutMs;
  for (let tree = first; ; ) {
    const pinned = pinnedTree(tree);
    if (pinned && pinned.size >= wanted) return pinned;
    if (
      pinned &&
      pinned.size === wanted - 1 &&
      (await leafAction(client, pinned.size, signal)) === OWN_RECORD
    )
      return pinned;
    if (Date.now() + pollMs > deadline || signal?.aborted) return undefined;
    await new Promise((resolve) => setTimeout(resolve, pollMs));
    tree = (await fetchLogTree(client, signal)) ?? tree;
  }
}

/** Whether an event the filters match was ingested after the last leaf of a tree of `size`. */
async function newerEventsMatch(
  client: AuditClient,
  size: number,
  params: ListParams,
  signal?: AbortSignal,
): Promise<boolean> {
  const last = await leafAt(client, size - 1, signal);
  if (!last) return true;
  try {
    const page = await client.listPage({ ...params, after: last.eventId, per_page: 1 }, { signal });
    return page.data.length > 0;
  } catch (error) {
    // The leaf's event was purged or erased meanwhile (`after` names no event): it cannot be
    // told, so wait for a checkpoint that covers what the server has sealed.
    if (error instanceof AuditApiError && error.status === 400 && error.problem?.param === 'after')
      return true;
    throw error;
  }
}

async function leafAction(client: AuditClient, position: number, signal?: AbortSignal) {
  return (await leafAt(client, position, signal))?.action;
}

/** The event id and action of the leaf at `position` (its fields' 4th is the action). */
async function leafAt(
  client: AuditClient,
  position: number,
  signal?: AbortSignal,
): Promise<{ eventId: string; action: string | undefined } | undefined> {
  const row = (await getLeaves(client, position, position + 1, { signal })).row(0);
  if (!Array.isArray(row) || typeof row[2] !== 'string') return undefined;
  const fields = row[7];
  return {
    eventId: row[2],
    action: Array.isArray(fields) && typeof fields[3] === 'string' ? fields[3] : undefined,
  };
}
