/**
 * The proofs of a finished export, one per file: each asked of the server with the export's
 * filters within the pinned checkpoint's tree, narrowed for a `--split` part to that part's
 * period, so that its rows are exactly the file's.
 */
import type { AuditClient } from '../../client/client.js';
import type { ListParams } from '../../client/types.js';
import type { ProofContent, ProofFilters } from '../../domain/merkle/export-proof.js';
import { periodBounds } from '../export-files.js';
import type { SplitPeriod } from '../types.js';
import type { LogTree } from './server-proof.js';
import { fetchRangeProof } from './server-proof.js';
import { writeExportProof } from './write-proof.js';

export interface ProofsRequest {
  client: AuditClient;
  /** The export's list filters, `from` and `to` instants. */
  params: ListParams & { from: string; to: string };
  content: ProofContent;
  tree: PinnedTree;
  files: readonly string[];
  /** With --split: the period of each file. */
  split?: SplitPeriod | undefined;
  periods?: readonly string[] | undefined;
  zone: string;
  signal?: AbortSignal | undefined;
}

/** The checkpoint an export is pinned to: its tree size, and the key that signed it. */
export interface PinnedTree {
  size: number;
  key: string;
}

/** The checkpoint to pin an export to; undefined when the log has none yet. */
export function pinnedTree(tree: LogTree): PinnedTree | undefined {
  return tree.checkpoint ? { size: tree.checkpoint.size, key: tree.key.verifier_key } : undefined;
}

/** Writes `FILE.proof.json` for each file; the paths written. */
export async function writeExportProofs(request: ProofsRequest): Promise<string[]> {
  const written: string[] = [];
  for (const [index, file] of request.files.entries()) {
    const period = request.periods?.[index];
    const params =
      request.split && period !== undefined ? narrowToPeriod(request, request.split, period) : request.params;
    const answer = await fetchRangeProof(request.client, params, request.tree.size, request.signal);
    written.push(
      await writeExportProof({
        file,
        content: request.content,
        filters: proofFilters(params),
        key: request.tree.key,
        answer,
      }),
    );
  }
  return written;
}

/** The export's filters with the time range cut to one period (`to` is inclusive, as the list reads it). */
function narrowToPeriod(request: ProofsRequest, split: SplitPeriod, period: string): ListParams {
  const { start, end } = periodBounds(split, period, request.zone);
  const from = Math.max(start, Date.parse(request.params.from));
  const to = Math.min(end - 1, Date.parse(request.params.to));
  return { ...request.params, from: new Date(from).toISOString(), to: new Date(to).toISOString() };
}

/** The filters as the proof records them: text, lists as lists, nothing unset. */
export function proofFilters(params: ListParams): ProofFilters {
  const filters: ProofFilters = {};
  for (const [name, value] of Object.entries(params)) {
    if (value === undefined || value === null || value === false) continue;
    filters[name] = Array.isArray(value) ? value.map(String) : String(value);
  }
  return filters;
}
