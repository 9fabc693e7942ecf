import { createHash } from 'node:crypto';

/** A public key's fingerprint as ssh prints it: `SHA256:` and the unpadded base64 of its SHA-256. */
export function keyFingerprint(publicKey: Uint8Array): string {
  return `SHA256:${createHash('sha256').update(publicKey).digest('base64').replace(/=+$/, '')}`;
}
