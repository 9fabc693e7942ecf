/**
 * `audit verify` online: the server's latest checkpoint, opened with the key this profile pinned
 * (on first use, as ssh does), consistent with the last checkpoint this profile saw and with the
 * last one saved in a witness directory; with `full`, every leaf and event recomputed. On success
 * the profile remembers the new checkpoint and the witness file gets it appended. A check that
 * finds evidence of tampering stops there and changes nothing the next run relies on.
 */
import type { AuditClient } from '../client/client.js';
import {
  getCheckpointNote,
  getConsistency,
  getLeaves,
  getTree,
  MAX_LEAVES_PER_PAGE,
} from '../client/tree.js';
import type { KnownLog, KnownLogs } from '../config/known-logs.js';
import { fileFailure, SettingsError } from '../config/settings-error.js';
import { keyFingerprint } from '../domain/key-fingerprint.js';
import { type NoteVerifier, parseVerifierKey } from '../domain/signed-note.js';
import { openCheckpoint, readVerifiedCheckpoint, type SeenCheckpoint } from './checkpoint-note.js';
import { checkConsistent } from './consistency.js';
import { checkAllLeaves, type FullCheckResult } from './full-check.js';
import { type Problem, TamperEvidence } from './problems.js';
import { appendWitnessNote, lastWitnessNote, witnessFilePath } from './witness-file.js';

export interface OnlineVerifyOptions {
  client: AuditClient;
  knownLogs: KnownLogs;
  profile: string;
  org: string;
  full?: boolean;
  /** `--save-checkpoint DIR`. */
  saveDir?: string;
  /** `--trust-new-key`: a key other than the pinned one replaces it (a rotation the user expects). */
  trustNewKey?: boolean;
  now?: () => Date;
  onProgress?: (leavesDone: number, leavesTotal: number) => void;
}

export type PinStatus = 'first-use' | 'pinned' | 're-pinned';

export interface CheckpointSummary {
  size: number;
  root: string;
  signed_at: string | null;
}

export interface VerifyReport {
  result: 'valid' | 'tampered';
  org: string;
  origin: string | null;
  sealed_size: number | null;
  checkpoint: CheckpointSummary | null;
  key: { name: string; fingerprint: string; pin: PinStatus; replaced_fingerprint?: string } | null;
  /** The checkpoint this profile saw last, which the new one extends; null on first use. */
  consistent_with: CheckpointSummary | null;
  witness: { file: string; consistent_with: CheckpointSummary | null; appended: boolean } | null;
  full: Omit<FullCheckResult, 'problems'> | null;
  problems: Problem[];
}

export async function verifyOnline(options: OnlineVerifyOptions): Promise<VerifyReport> {
  const { client, knownLogs, profile, org } = options;
  const report: VerifyReport = {
    result: 'valid',
    org,
    origin: null,
    sealed_size: null,
    checkpoint: null,
    key: null,
    consistent_with: null,
    witness: null,
    full: null,
    problems: [],
  };
  const fetchProof = async (first: number, second: number) =>
    (await getConsistency(client, first, second)).hashes;
  try {
    const tree = await getTree(client);
    report.origin = typeof tree.origin === 'string' ? tree.origin : null;
    report.sealed_size = typeof tree.sealed_size === 'number' ? tree.sealed_size : null;
    const pinned = knownLogs.get(profile, org);
    const { verifier, pin } = chooseKey(tree.key?.verifier_key, pinned, options.trustNewKey === true);
    report.key = {
      name: verifier.name,
      fingerprint: keyFingerprint(verifier.publicKey),
      pin,
      ...(pin === 're-pinned' && pinned ? { replaced_fingerprint: pinned.fingerprint } : {}),
    };
    // The log this profile's organization must be, by the key's name and the organization asked
    // for: not only what the server says (a server lying from the first run could name another).
    const expected = `${verifier.name}/${org}`;
    const current = openServerCheckpoint(await getCheckpointNote(client), verifier, tree.origin, expected);
    report.checkpoint = summary(current);
    if (pinned?.checkpoint) {
      const previous = savedCheckpoint(pinned.checkpoint, knownLogs.path);
      await checkConsistent(previous, current, fetchProof, `this profile (${profile})`);
      report.consistent_with = summary(previous);
    }
    let witnessLast: string | undefined;
    if (options.saveDir !== undefined) {
      const file = witnessFilePath(options.saveDir, client.server, org);
      witnessLast = witnessFileWork(file, 'read', () => lastWitnessNote(file));
      report.witness = { file, consistent_with: null, appended: false };
      if (witnessLast !== undefined) {
        const saved = savedCheckpoint(witnessLast, file);
        await checkConsistent(saved, current, fetchProof, `the checkpoints saved in ${file}`);
        report.witness.consistent_with = summary(saved);
      }
    }
    if (options.full) {
      const source = {
        page: (start: number, end: number) => getLeaves(client, start, end),
        pageSize: MAX_LEAVES_PER_PAGE,
      };
      const progress = options.onProgress && ((done: number) => options.onProgress?.(done, current.size));
      const { problems, ...counts } = await checkAllLeaves(source, current.size, current.root, progress);
      report.full = counts;
      report.problems.push(...problems);
    }
    if (report.problems.length > 0) return tampered(report);
    remember(options, verifier, pin, current);
    if (report.witness && witnessLast !== current.note) {
      const { file } = report.witness;
      witnessFileWork(file, 'write', () => appendWitnessNote(options.saveDir as string, file, current.note));
      report.witness.appended = true;
    }
    return report;
  } catch (error) {
    if (!(error instanceof TamperEvidence)) throw error;
    report.problems.push(error.problem);
    return tampered(report);
  }
}

/** The key to open the checkpoint with: the pinned one, or the server's on first use or when trusted. */
function chooseKey(
  serverKey: unknown,
  pinned: KnownLog | undefined,
  trustNewKey: boolean,
): { verifier: NoteVerifier; pin: PinStatus } {
  const server = parseServerKey(serverKey);
  if (!pinned) return { verifier: server, pin: 'first-use' };
  if (pinned.verifier_key === server.key) return { verifier: server, pin: 'pinned' };
  if (trustNewKey) return { verifier: server, pin: 're-pinned' };
  throw new TamperEvidence({
    kind: 'key-changed',
    message:
      `the server's signing key changed: this profile pinned ${pinned.fingerprint}, the server now signs with ` +
      `${keyFingerprint(server.publicKey)} (${server.name}); if its operator rotated the key, check the new ` +
      'fingerprint with them (audit server key show) and run audit verify --trust-new-key',
  });
}

function parseServerKey(key: unknown): NoteVerifier {
  try {
    if (typeof key !== 'string') throw new Error('no key');
    return parseVerifierKey(key);
  } catch {
    throw new TamperEvidence({ kind: 'bad-answer', message: 'the server sent no valid verifier key' });
  }
}

function openServerCheckpoint(
  note: string,
  verifier: NoteVerifier,
  origin: unknown,
  expected: string,
): SeenCheckpoint {
  let checkpoint: SeenCheckpoint;
  try {
    checkpoint = openCheckpoint(note, verifier);
  } catch (error) {
    throw new TamperEvidence({
      kind: 'bad-signature',
      message: `the server's checkpoint does not verify with the pinned key ${keyFingerprint(verifier.publicKey)}: ${(error as Error).message}`,
    });
  }
  if (checkpoint.origin !== origin || checkpoint.origin !== expected) {
    throw new TamperEvidence({
      kind: 'wrong-origin',
      message: `the checkpoint is of log ${JSON.stringify(checkpoint.origin)}, not of this organization's log ${JSON.stringify(expected)}`,
    });
  }
  return checkpoint;
}

/** Pins the key and keeps the newest checkpoint (another verify may have saved a later one meanwhile). */
function remember(
  options: OnlineVerifyOptions,
  verifier: NoteVerifier,
  pin: PinStatus,
  current: SeenCheckpoint,
): void {
  const now = (options.now ?? (() => new Date()))().toISOString();
  options.knownLogs.update(options.profile, options.org, (stored) => {
    if (stored && stored.verifier_key !== verifier.key && pin !== 're-pinned') return undefined;
    const keep =
      stored?.checkpoint &&
      stored.verifier_key === verifier.key &&
      readVerifiedCheckpoint(stored.checkpoint).size > current.size;
    return {
      verifier_key: verifier.key,
      fingerprint: keyFingerprint(verifier.publicKey),
      pinned_at: stored && stored.verifier_key === verifier.key ? stored.pinned_at : now,
      ...(keep
        ? { checkpoint: stored.checkpoint, checkpoint_seen_at: stored.checkpoint_seen_at }
        : { checkpoint: current.note, checkpoint_seen_at: now }),
    };
  });
}

/** A file error of --save-checkpoint as a one-line error the user can act on (exit 2). */
function witnessFileWork<T>(file: string, verb: 'read' | 'write', work: () => T): T {
  try {
    return work();
  } catch (error) {
    throw new SettingsError(`cannot ${verb} the saved checkpoints ${file}: ${fileFailure(error)}`, {
      cause: error,
    });
  }
}

/** A checkpoint kept on this machine; one that no longer parses is a file to fix, not tampering by the server. */
function savedCheckpoint(note: string, file: string): SeenCheckpoint {
  try {
    return readVerifiedCheckpoint(note);
  } catch (error) {
    throw new SettingsError(
      `the last checkpoint saved in ${file} cannot be read (${(error as Error).message}); fix or remove it`,
    );
  }
}

function summary(checkpoint: SeenCheckpoint): CheckpointSummary {
  return {
    size: checkpoint.size,
    root: checkpoint.root.toString('base64'),
    signed_at: checkpoint.signedAt ?? null,
  };
}

function tampered(report: VerifyReport): VerifyReport {
  report.result = 'tampered';
  return report;
}
