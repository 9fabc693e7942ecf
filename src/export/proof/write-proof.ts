/**
 * Writes `FILE.proof.json` beside an export file from the server's range proof: the file is read
 * back and checked against the proof and the checkpoint first (a proof that does not prove the
 * file is never written), and the id and leaf hint of each row are added to its entry so that a
 * later check can name the line that changed. Written like the export: `NAME.partial`, fsync, rename.
 */
import { basename } from 'node:path';
import {
  type ExportProofDocument,
  formatExportProof,
  LEAF_HINT_BYTES,
  PROOF_FORMAT,
  PROOF_SUFFIX,
  PROOF_VERSION,
  type ProofContent,
  type ProofFilters,
  readExportProof,
} from '../../domain/merkle/export-proof.js';
import { parseVerifierKey } from '../../domain/signed-note.js';
import { openOutputFile } from '../atomic-file.js';
import { checkExport } from './check-export.js';
import { exportRows } from './export-rows.js';
import { fileBytes, textLines } from './file-lines.js';

/** The server's proof does not prove the file it was asked for: evidence against the server. */
export class ProofMismatchError extends Error {
  override readonly name = 'ProofMismatchError';
  constructor(
    readonly file: string,
    readonly problems: string[],
  ) {
    super(`the server's proof does not match ${file}: ${problems[0] ?? 'unknown problem'}`);
  }
}

export interface ProofInput {
  file: string;
  content: ProofContent;
  filters: ProofFilters;
  /** The log's verifier key, as the server named it. */
  key: string;
  /** The `data` of the server's range proof. */
  answer: unknown;
}

export function proofPathOf(file: string): string {
  return `${file}${PROOF_SUFFIX}`;
}

export async function writeExportProof(input: ProofInput): Promise<string> {
  const answer = (input.answer ?? {}) as Partial<ExportProofDocument>;
  const document: ExportProofDocument = {
    format: PROOF_FORMAT,
    version: PROOF_VERSION,
    file: basename(input.file),
    content: input.content,
    filters: input.filters,
    key: input.key,
    checkpoint: answer.checkpoint as string,
    tree_size: answer.tree_size as number,
    entries: answer.entries as ExportProofDocument['entries'],
    others: answer.others as ExportProofDocument['others'],
    nodes: answer.nodes as ExportProofDocument['nodes'],
  };
  const proof = readExportProof(document);
  const check = await checkExport(
    proof,
    parseVerifierKey(input.key),
    exportRows(input.content, textLines(fileBytes(input.file))),
    { collect: true },
  );
  if (check.problems.length > 0 || !check.collected) throw new ProofMismatchError(input.file, check.problems);
  const { ids, hints } = check.collected;
  document.entries = Array.from({ length: proof.count }, (_, i) => {
    const position = proof.positions[i] as number;
    const id = ids[i] as string;
    const hint = hints.subarray(i * LEAF_HINT_BYTES, (i + 1) * LEAF_HINT_BYTES).toString('base64');
    const commitment = proof.erased.get(i);
    if (commitment) return [position, null, id, hint, commitment.toString('base64')];
    return [position, proof.salts.subarray(i * 32, i * 32 + 32).toString('base64'), id, hint];
  });
  const path = proofPathOf(input.file);
  const out = await openOutputFile(path);
  try {
    await new Promise<void>((resolve, reject) =>
      out.stream.write(formatExportProof(document), (error) => (error ? reject(error) : resolve())),
    );
    await out.commit();
  } catch (error) {
    await out.discard().catch(() => undefined);
    throw error;
  }
  return path;
}
