import { createHash } from 'node:crypto';
import { parseVerifierKey } from './signed-note.js';

/** A public key's fingerprint as ssh prints it: `SHA256:` and the unpadded base64 of its SHA-256. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}

/** The fingerprint of a C2SP verifier key text (`<name>+<hash>+<base64>`): its public key's. */
export function verifierKeyFingerprint(verifierKey: string): string {
  return keyFingerprint(parseVerifierKey(verifierKey).publicKey);
}
