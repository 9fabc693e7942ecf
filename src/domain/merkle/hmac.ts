/**
 * HMAC-SHA-256 (RFC 2104) of a text, as createHmac('sha256', key).update(text).digest(encoding)
 * gives it, in two one-shot hashes over scratch buffers and with the digest as a string: every
 * new leaf takes one, and a Hmac object and a Buffer per digest cost more than the hashing (and
 * their garbage more still). A key longer than a block (only a hostile proof file's salt) goes
 * through createHmac, which hashes it first. test/unit/hmac-sha256.test.ts holds the two equal.
 */
import { createHmac, hash } from 'node:crypto';

const BLOCK_BYTES = 64;
const DIGEST_BYTES = 32;
// Texts up to this many UTF-16 units are written into the scratch buffer (UTF-8: ≤ 3 bytes each).
const SCRATCH_UNITS = 4096;

const innerScratch = Buffer.alloc(BLOCK_BYTES + 3 * SCRATCH_UNITS);
const outerInput = Buffer.alloc(BLOCK_BYTES + DIGEST_BYTES);

export type DigestEncoding = 'base64' | 'binary' | 'hex';

export function hmacSha256(key: Uint8Array, text: string, encoding: DigestEncoding): string {
  if (key.length > BLOCK_BYTES) return createHmac('sha256', key).update(text).digest(encoding);
  const inner =
    text.length <= SCRATCH_UNITS ? innerScratch : Buffer.alloc(BLOCK_BYTES + Buffer.byteLength(text));
  // The key padded with zeros to a block, XOR 0x36 (ipad) and 0x5c (opad).
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const byte = i < key.length ? (key[i] as number) : 0;
    inner[i] = byte ^ 0x36;
    outerInput[i] = byte ^ 0x5c;
  }
  const length = inner.write(text, BLOCK_BYTES, 'utf8');
  outerInput.write(hash('sha256', inner.subarray(0, BLOCK_BYTES + length), 'binary'), BLOCK_BYTES, 'binary');
  return hash('sha256', outerInput, encoding);
}
