/**
 * `audit verify FILE` below the CLI: the proof beside the file read, the file checked against it
 * with a key the caller trusts. No network: everything comes from the two files and the key.
 */
import { readFile, stat } from 'node:fs/promises';
import { type ExportProof, ProofFormatError, parseExportProof } from '../../domain/merkle/export-proof.js';
import { NotLaidOutError } from '../../domain/merkle/proof-entries.js';
import type { NoteVerifier } from '../../domain/signed-note.js';
import { checkExport, type ExportCheck } from './check-export.js';
import { exportRows } from './export-rows.js';
import { fileBytes, TruncatedGzipError, textLines } from './file-lines.js';
import { pooledNdjsonRows } from './ndjson-pool.js';
import { proofPathOf } from './write-proof.js';

/** The file or its proof cannot be read at all (missing, a directory, unreadable): exit 2, not 3. */
export class ProofFileMissingError extends Error {
  override readonly name = 'ProofFileMissingError';
}

export interface FileVerification extends ExportCheck {
  file: string;
  proofFile: string;
  proof: ExportProof;
}

/**
 * Reads FILE.proof.json; a malformed one is a problem of the check (it was altered), a missing one
 * a usage error. `open` openExportProof leaves the entries to be read as the check goes.
 */
export async function readProofOf(
  file: string,
  open: (bytes: Buffer) => ExportProof = parseExportProof,
): Promise<{ proofFile: string; proof: ExportProof }> {
  const proofFile = proofPathOf(file);
  let bytes: Buffer;
  try {
    if ((await stat(file)).isDirectory())
      throw new ProofFileMissingError(`cannot read ${file}: it is a directory`);
    bytes = await readFile(proofFile);
  } catch (error) {
    if (error instanceof ProofFileMissingError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const path = (error as NodeJS.ErrnoException).path ?? proofFile;
    if (code === 'ENOENT' && path === proofFile)
      throw new ProofFileMissingError(
        `no proof for ${file}: expected ${proofFile} beside it (audit export --proof writes it)`,
      );
    if (code === 'ENOENT') throw new ProofFileMissingError(`cannot read ${file}: no such file`);
    throw new ProofFileMissingError(`cannot read ${path}: ${(error as Error).message}`);
  }
  return { proofFile, proof: open(bytes) };
}

export async function verifyExportFile(
  file: string,
  proof: ExportProof,
  proofFile: string,
  verifier: NoteVerifier,
  /** Worker threads to hash NDJSON rows with (verifyWorkerCount); 0: this thread alone. */
  workers = 0,
): Promise<FileVerification> {
  try {
    const rows =
      proof.content === 'ndjson' && workers > 0
        ? pooledNdjsonRows(fileBytes(file), proof.salts, proof.count, workers, {
            saltsUpTo: proof.readEntries,
          })
        : exportRows(proof.content, textLines(fileBytes(file)));
    const check = await checkExport(proof, verifier, rows);
    return { ...check, file, proofFile, proof };
  } catch (error) {
    // A proof opened lazily whose lines are not its entries after all, or a file that stops
    // before its proof is read: checked again with the proof read whole, which says what is
    // wrong with it before anything is said of the file.
    const stopped = error instanceof NotLaidOutError || error instanceof TruncatedGzipError;
    if (stopped && proof.readWhole)
      return verifyExportFile(file, proof.readWhole(), proofFile, verifier, workers);
    if (error instanceof TruncatedGzipError) {
      return {
        events: 0,
        erased: 0,
        erasedLines: [],
        span: null,
        checkpoint: undefined,
        problems: [`${file}: ${error.message}`],
        unchecked: [],
        file,
        proofFile,
        proof,
      };
    }
    throw error;
  }
}

export { ProofFormatError };
