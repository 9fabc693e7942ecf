/**
 * Which key opens a proof's checkpoint. Never the proof's own: whoever can edit a file can sign
 * a proof of it with a key of their own, so a key from the proof would prove the file is
 * consistent with itself, not that the log's server wrote it. The key comes from `--key`, else
 * from those this machine's profiles pinned when they verified the log online.
 */

import type { PinnedKey } from '../../config/pinned-keys.js';
import { keyFingerprint } from '../../domain/key-fingerprint.js';
import { type NoteVerifier, parseVerifierKey, SignedNoteError } from '../../domain/signed-note.js';

export interface TrustedKey {
  verifier: NoteVerifier;
  fingerprint: string;
  /** Where it came from, as a person reads it: `--key`, `pinned by profile "default" for acme`. */
  source: string;
}

/** No key to trust, or a `--key` that is not one: the user's to fix (exit 2). */
export class KeyChoiceError extends Error {
  override readonly name = 'KeyChoiceError';
}

export function trustedKeyOf(text: string, source: string): TrustedKey {
  let verifier: NoteVerifier;
  try {
    verifier = parseVerifierKey(text.trim());
  } catch (error) {
    if (error instanceof SignedNoteError)
      throw new KeyChoiceError(`${source} is not a verifier key <name>+<hash>+<key> (${error.message})`);
    throw error;
  }
  return { verifier, fingerprint: keyFingerprint(verifier.publicKey), source };
}

/** The pinned key whose name and hash sign `checkpoint`; undefined when no pinned key does. */
export function pinnedKeyFor(checkpoint: string, pinned: readonly PinnedKey[]): TrustedKey | undefined {
  for (const pin of pinned) {
    let key: TrustedKey;
    try {
      key = trustedKeyOf(pin.verifierKey, `pinned by profile "${pin.profile}" for ${pin.org}`);
    } catch {
      continue;
    }
    const hash = Buffer.alloc(4);
    hash.writeUInt32BE(key.verifier.keyHash);
    if (signatureLines(checkpoint).some((line) => line.name === key.verifier.name && line.hash.equals(hash)))
      return key;
  }
  return undefined;
}

/** The signers a note names: `— <name> <base64(key hash || signature)>` lines. */
function signatureLines(note: string): { name: string; hash: Buffer }[] {
  return note
    .split('\n')
    .filter((line) => line.startsWith('— '))
    .map((line) => {
      const [name = '', signature = ''] = line.slice(2).split(' ');
      return { name, hash: Buffer.from(signature, 'base64').subarray(0, 4) };
    });
}

/** The fingerprint of the key a proof says signed it: shown, never trusted. */
export function claimedFingerprint(key: string | undefined): string | undefined {
  if (key === undefined) return undefined;
  try {
    return keyFingerprint(parseVerifierKey(key).publicKey);
  } catch {
    return undefined;
  }
}
