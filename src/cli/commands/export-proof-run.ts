/** The `--proof` part of `audit export`: pin the checkpoint first, prove each file after. */
import type { AuditClient } from '../../client/client.js';
import type { ExportPlan } from '../../export/plan.js';
import type { PinnedTree } from '../../export/proof/export-proofs.js';
import { writeExportProofs } from '../../export/proof/export-proofs.js';
import { ProofUnavailableError, pinCheckpoint } from '../../export/proof/pin-checkpoint.js';
import { ProofMismatchError } from '../../export/proof/write-proof.js';
import type { ExportResult } from '../../export/types.js';
import { counted } from '../../format/counted.js';
import { ApiError, CliError, EXIT } from '../errors.js';

export async function pinForExport(client: AuditClient, signal: AbortSignal): Promise<PinnedTree> {
  try {
    return await pinCheckpoint(client, signal);
  } catch (error) {
    if (error instanceof ProofUnavailableError)
      throw new ApiError(`--proof: ${error.message}`, undefined, { cause: error });
    throw error;
  }
}

export async function writeProofs(
  client: AuditClient,
  plan: ExportPlan,
  result: ExportResult,
  tree: PinnedTree,
  zone: string,
): Promise<string[]> {
  try {
    return await writeExportProofs({
      client,
      params: plan.params,
      content: plan.format === 'pdf' ? 'json' : plan.format,
      tree,
      files: result.files,
      split: plan.split,
      periods: result.periods,
      zone,
    });
  } catch (error) {
    if (error instanceof ProofMismatchError)
      throw new CliError(
        `tampered: the server's proof does not prove what it sent: ${error.file}: ${error.problems[0]}`,
        EXIT.tampered,
      );
    throw error;
  }
}

export function proofSummary(proofs: readonly string[], treeSize: number): string {
  if (proofs.length === 0) return '; no proof (no file)';
  const which = proofs.length === 1 ? (proofs[0] as string) : `${proofs.length} proofs beside them`;
  return `; proved by ${which} (checkpoint of ${counted(treeSize, 'event')})`;
}
