/**
 * API tokens: `adt_` + 40 random base62 characters + a 6-character base62 CRC-32 of them, as
 * GitHub's token format does, so a client rejects a mistyped token before any request and
 * secret scanners can recognize leaked ones.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { TOKEN_PATTERN } from './token-text.js';

const BASE62 = '0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz';
const PREFIX = 'adt_';
const RANDOM_LENGTH = 40;
const CHECKSUM_LENGTH = 6;
const TOKEN_LENGTH = PREFIX.length + RANDOM_LENGTH + CHECKSUM_LENGTH;
// The largest multiple of 62 that fits in a byte: bytes at or above it are rejected, not folded.
const UNBIASED_BYTE_LIMIT = 62 * 4;

function randomBase62(length: number): string {
  let result = '';
  while (result.length < length) {
    for (const byte of randomBytes(length)) {
      if (byte < UNBIASED_BYTE_LIMIT) result += BASE62.charAt(byte % 62);
      if (result.length === length) break;
    }
  }
  return result;
}

function checksum(randomPart: string): string {
  let value = crc32(randomPart);
  let encoded = '';
  while (value > 0) {
    encoded = BASE62.charAt(value % 62) + encoded;
    value = Math.floor(value / 62);
  }
  return encoded.padStart(CHECKSUM_LENGTH, '0');
}

export function generateToken(): string {
  const randomPart = randomBase62(RANDOM_LENGTH);
  return PREFIX + randomPart + checksum(randomPart);
}

export type TokenCheck = { ok: true } | { ok: false; reason: string };

/** Checks shape and checksum only; whether the server knows the token is another matter. */
export function checkTokenFormat(token: string): TokenCheck {
  // Reasons never quote the token: they end up in terminals and logs.
  if (!token.startsWith(PREFIX)) {
    return { ok: false, reason: `An audit API token starts with "${PREFIX}"; this one does not.` };
  }
  if (token.length !== TOKEN_LENGTH) {
    return {
      ok: false,
      reason: `An audit API token is ${TOKEN_LENGTH} characters long; this one has ${token.length}.`,
    };
  }
  if (!TOKEN_PATTERN.test(token)) {
    return {
      ok: false,
      reason: `An audit API token has only letters and digits after "${PREFIX}"; this one has other characters.`,
    };
  }
  const randomPart = token.slice(PREFIX.length, PREFIX.length + RANDOM_LENGTH);
  if (token.slice(PREFIX.length + RANDOM_LENGTH) !== checksum(randomPart)) {
    return { ok: false, reason: "The token's checksum does not match: it looks mistyped or truncated." };
  }
  return { ok: true };
}

function sha256(token: string): Buffer {
  return createHash('sha256').update(token, 'utf8').digest();
}

export function hashToken(token: string): string {
  return sha256(token).toString('hex');
}

/** Constant-time comparison of a presented token with a stored SHA-256 hex digest. */
export function tokensEqualHash(token: string, storedHashHex: string): boolean {
  // Buffer.from(hex) silently drops invalid digits, so validate before decoding.
  if (!/^[0-9a-f]{64}$/i.test(storedHashHex)) return false;
  return timingSafeEqual(sha256(token), Buffer.from(storedHashHex, 'hex'));
}
