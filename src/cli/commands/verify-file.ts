/**
 * `audit verify FILE…`: export files checked offline against the `FILE.proof.json` beside each,
 * with a key from `--key` or pinned by a profile. No network at all: no profile's server is
 * contacted, not even resolved. Exit 0 when every file is proved, 3 on any evidence of
 * tampering, 2 when a file or its proof is missing or no key is known.
 */
import { readFile } from 'node:fs/promises';
import { configDir } from '../../config/paths.js';
import { pinnedKeys } from '../../config/pinned-keys.js';
import type { ExportProof } from '../../domain/merkle/export-proof.js';
import { openExportProof, ProofFormatError } from '../../domain/merkle/export-proof.js';
import { verifyWorkerCount } from '../../export/proof/ndjson-pool.js';
import {
  claimedFingerprint,
  KeyChoiceError,
  pinnedKeyFor,
  type TrustedKey,
  trustedKeyOf,
} from '../../export/proof/trusted-key.js';
import {
  type FileVerification,
  ProofFileMissingError,
  readProofOf,
  verifyExportFile,
} from '../../export/proof/verify-file.js';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import type { Session } from '../session.js';
import { fileVerificationJson, fileVerificationLines } from './verify-file-report.js';

export interface VerifyFileOptions {
  key?: string;
}

export async function verifyFiles(
  context: CliContext,
  session: Session,
  files: readonly string[],
  options: VerifyFileOptions,
): Promise<void> {
  const json = session.flags.output === 'json';
  if (session.flags.output !== undefined && !json)
    throw new UsageError(`--output for verify must be json; got "${session.flags.output}"`);
  // Every proof is read before any file is checked: a missing one is a usage error said at once.
  const proofs: { file: string; proofFile: string; proof?: ExportProof; malformed?: string }[] = [];
  for (const file of files) {
    try {
      // Its entries are read as its file is checked: the first rows are hashed meanwhile.
      proofs.push({ file, ...(await readProofOf(file, openExportProof)) });
    } catch (error) {
      if (error instanceof ProofFileMissingError) throw new UsageError(error.message, { cause: error });
      if (!(error instanceof ProofFormatError)) throw error;
      proofs.push({ file, proofFile: `${file}.proof.json`, malformed: error.message });
    }
  }
  const given = options.key === undefined ? undefined : await keyFromOption(options.key);
  const pinned = given ? [] : pinnedKeys(configDir(context.env));

  const workers = verifyWorkerCount(context.env);
  const results: (FileVerification & { key: TrustedKey })[] = [];
  const malformed: string[] = [];
  for (const { file, proofFile, proof, malformed: reason } of proofs) {
    if (!proof) {
      malformed.push(`${proofFile} is not a valid proof (${reason}) — it was altered`);
      continue;
    }
    try {
      const key = given ?? pinnedKeyFor(proof.checkpoint, pinned) ?? noKey(file, proof);
      results.push({ ...(await verifyExportFile(file, proof, proofFile, key.verifier, workers)), key });
    } catch (error) {
      if (!(error instanceof ProofFormatError)) throw error;
      malformed.push(`${proofFile} is not a valid proof (${error.message}) — it was altered`);
    }
  }

  if (json) {
    writeLine(
      context.stdout,
      stringifyJsonSafely(
        {
          valid: malformed.length === 0 && results.every((result) => result.problems.length === 0),
          files: results.map(fileVerificationJson),
          ...(malformed.length ? { malformed_proofs: malformed } : {}),
        },
        2,
      ),
    );
  } else {
    for (const result of results)
      for (const line of fileVerificationLines(result, session.zone))
        writeLine(context.stdout, sanitizeForDisplay(line));
    for (const line of malformed) writeLine(context.stdout, `✗ ${sanitizeForDisplay(line)}`);
  }
  const failed = results.filter((result) => result.problems.length > 0);
  const first = failed[0];
  if (first || malformed.length > 0) {
    const message = first ? `${first.file}: ${first.problems[0]}` : (malformed[0] as string);
    const others = failed.length + malformed.length - 1;
    throw new CliError(
      `tampered: ${message}${others > 0 ? ` (and ${others} more files)` : ''}`,
      EXIT.tampered,
    );
  }
}

/** `--key KEY` or `--key FILE` (its first line that looks like a key: what `audit server key show` prints). */
async function keyFromOption(value: string): Promise<TrustedKey> {
  const looksLikeKey = /^[^\s+]+\+[0-9a-f]{8}\+[A-Za-z0-9+/=]+$/.test(value.trim());
  try {
    if (looksLikeKey) return trustedKeyOf(value, '--key');
    let text: string;
    try {
      text = await readFile(value, 'utf8');
    } catch (error) {
      throw new KeyChoiceError(
        `--key ${value}: neither a verifier key <name>+<hash>+<key> nor a readable file (${(error as NodeJS.ErrnoException).code ?? (error as Error).message})`,
      );
    }
    const line = text.split('\n').find((candidate) => /^[^\s+]+\+[0-9a-f]{8}\+/.test(candidate.trim()));
    if (line === undefined)
      throw new KeyChoiceError(`--key ${value}: the file holds no verifier key <name>+<hash>+<key>`);
    return trustedKeyOf(line, `--key ${value}`);
  } catch (error) {
    if (error instanceof KeyChoiceError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

function noKey(file: string, proof: ExportProof): never {
  // A malformed proof is said as such, key or not: its entries are read whole first.
  if (proof.readWhole) proof.readWhole();
  const claimed = claimedFingerprint(proof.key);
  throw new UsageError(
    `no trusted key for ${file}: pass --key KEY|FILE (on the server: audit server key show), or run \`audit verify\` once against the server to pin its key` +
      (claimed
        ? `; the proof says it was signed by ${claimed}, but a key taken from the proof would prove nothing`
        : ''),
  );
}
