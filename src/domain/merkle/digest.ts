/**
 * SHA-256 and HMAC-SHA-256 in one call each, for the loops that hash a million leaves and nodes
 * (sealing, `audit verify --full`, `audit verify FILE`). node:crypto's hash() gives its digest
 * as a string four times faster than as a Buffer (0.5 µs against 2.0 µs on a 2-core EPYC: a
 * Buffer's memory is allocated outside V8's heap, a string's inside), so the digest is taken as
 * 'binary' (latin1) text, one character a byte, and copied into a Buffer from Node's pool. An HMAC is the
 * two hashes of RFC 2104 over blocks kept for the next call, without an Hmac object (~2 µs to
 * make). test/unit/digest.test.ts holds both equal to createHash and createHmac.
 */
import { createHmac, hash } from 'node:crypto';

const BLOCK_BYTES = 64;
/** The largest input block kept for the next call; a longer message gets a block of its own. */
const KEPT_BYTES = 1 << 20;

let innerBlock = Buffer.alloc(BLOCK_BYTES + 4096);
const outerBlock = Buffer.alloc(BLOCK_BYTES + 32);

/**
 * Views of a kept buffer's first n bytes, each made once: hash() takes a whole Buffer, and a view
 * made for each call costs about what hashing 200 bytes does. Lengths past `most` are not kept.
 */
export class PrefixViews {
  private readonly views: Buffer[] = [];
  constructor(
    readonly buffer: Buffer,
    private readonly most = 4096 + BLOCK_BYTES,
  ) {}

  of(length: number): Buffer {
    let view = this.views[length];
    if (view === undefined) {
      view = this.buffer.subarray(0, length);
      if (length <= this.most) this.views[length] = view;
    }
    return view;
  }
}

let innerViews = new PrefixViews(innerBlock);

/** SHA-256 of `data` (a string as its UTF-8 bytes). */
export function sha256(data: string | Uint8Array): Buffer {
  return Buffer.from(hash('sha256', data, 'binary'), 'binary');
}

/** sha256 as 'binary' text, one character a byte: for a caller that writes it into its own buffer. */
export function sha256Binary(data: string | Uint8Array): string {
  return hash('sha256', data, 'binary');
}

/** HMAC-SHA-256 of `message` (its UTF-8 bytes) under `key`. */
export function hmacSha256(key: Uint8Array, message: string): Buffer {
  return Buffer.from(hmac(key, message, 'binary'), 'binary');
}

/** hmacSha256 as base64; a message given as bytes is taken as they are. */
export function hmacSha256Base64(key: Uint8Array, message: string | Uint8Array): string {
  return hmac(key, message, 'base64');
}

/** hmacSha256 as 'binary' text, one character a byte; a message given as bytes is taken as they are. */
export function hmacSha256Binary(key: Uint8Array, message: string | Uint8Array): string {
  return hmac(key, message, 'binary');
}

/**
 * The block an HMAC message of at most `most` bytes is written into, from HMAC_MESSAGE_AT on, for
 * hmacSha256OfBlockBinary: a caller that writes its message there spares a copy of it.
 */
export function hmacMessageBlock(most: number): Buffer {
  const needed = BLOCK_BYTES + most;
  if (needed > innerBlock.length && needed <= KEPT_BYTES) {
    innerBlock = Buffer.alloc(needed);
    innerViews = new PrefixViews(innerBlock);
  }
  return needed <= innerBlock.length ? innerBlock : Buffer.allocUnsafe(needed);
}

/** Where a message starts in hmacMessageBlock's block. */
export const HMAC_MESSAGE_AT = BLOCK_BYTES;

/**
 * hmacSha256Binary(key[keyAt, keyAt + keyLength), block[HMAC_MESSAGE_AT, HMAC_MESSAGE_AT + length))
 * of a block from hmacMessageBlock (its first HMAC_MESSAGE_AT bytes are overwritten); the key
 * given as a place in a larger array spares a view of it.
 */
export function hmacSha256OfBlockBinary(
  key: Uint8Array,
  keyAt: number,
  keyLength: number,
  block: Buffer,
  length: number,
): string {
  return hmacOfBlock(key, keyAt, keyLength, block, length, 'binary');
}

function hmac(key: Uint8Array, message: string | Uint8Array, encoding: 'binary' | 'base64'): string {
  if (key.length > BLOCK_BYTES) return createHmac('sha256', key).update(message).digest(encoding);
  // A UTF-16 code unit is at most three bytes of UTF-8 (a surrogate pair is four for two).
  const inner = hmacMessageBlock(typeof message === 'string' ? 3 * message.length : message.length);
  let length = message.length;
  if (typeof message === 'string') length = inner.write(message, BLOCK_BYTES, 'utf8');
  else inner.set(message, BLOCK_BYTES);
  return hmacOfBlock(key, 0, key.length, inner, length, encoding);
}

/** HMAC of inner[BLOCK_BYTES, BLOCK_BYTES + length) under key[keyAt, keyAt + keyLength). */
function hmacOfBlock(
  key: Uint8Array,
  keyAt: number,
  keyLength: number,
  inner: Buffer,
  length: number,
  encoding: 'binary' | 'base64',
): string {
  if (keyLength > BLOCK_BYTES)
    return createHmac('sha256', key.subarray(keyAt, keyAt + keyLength))
      .update(inner.subarray(BLOCK_BYTES, BLOCK_BYTES + length))
      .digest(encoding);
  for (let i = 0; i < BLOCK_BYTES; i++) {
    const byte = i < keyLength ? (key[keyAt + i] as number) : 0;
    inner[i] = byte ^ 0x36;
    outerBlock[i] = byte ^ 0x5c;
  }
  return hashBlocks(inner, length, encoding);
}

/** The two hashes of an HMAC whose padded key is in place in `inner` and outerBlock. */
function hashBlocks(inner: Buffer, length: number, encoding: 'binary' | 'base64'): string {
  const message =
    inner === innerBlock ? innerViews.of(BLOCK_BYTES + length) : inner.subarray(0, BLOCK_BYTES + length);
  outerBlock.write(hash('sha256', message, 'binary'), BLOCK_BYTES, 'binary');
  return hash('sha256', outerBlock, encoding);
}
