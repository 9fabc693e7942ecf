import { createCipheriv, createDecipheriv } from 'node:crypto';
import type { StorePort } from '../store/port.js';

const OPAQUE = /^[A-Za-z0-9_-]{22}$/;
const LEGACY = /^\d{1,15}$/;

/**
 * Stream positions as clients see them: the (organization, sequence) pair encrypted as one AES
 * block under a key of this database. The global sequence inside counts every organization's
 * events, so it must not show; the organization inside makes a position of one organization
 * worthless in another. One block, a unique plaintext per event: ECB is a plain permutation here.
 */
export async function createPositionCodec(stores: Pick<StorePort, 'settings'>) {
  const key = Buffer.from((await stores.settings.read('stream_position_key')) ?? '', 'hex');
  if (key.length !== 32)
    throw new Error('the database has no stream position key (0001-initial.sql makes one)');
  // Numbers an older server handed out, before positions were opaque: no larger one was issued.
  const legacyLimit = Number((await stores.settings.read('legacy_stream_position_limit')) ?? 0);
  // ECB without padding keeps no state between blocks, so one cipher serves every call.
  const cipher = createCipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const decipher = createDecipheriv('aes-256-ecb', key, null).setAutoPadding(false);
  const block = Buffer.alloc(16);

  return {
    encode(orgId: number, seq: number): string {
      block.writeBigUInt64BE(BigInt(orgId), 0);
      block.writeBigUInt64BE(BigInt(seq), 8);
      return cipher.update(block).toString('base64url');
    },

    /** The sequence a position stands for in this organization; undefined if it stands for none. */
    decode(orgId: number, text: string): number | undefined {
      if (LEGACY.test(text) && Number(text) <= legacyLimit) return Number(text);
      if (!OPAQUE.test(text)) return undefined;
      // 22 characters are 16 bytes: one block in, one block out.
      const plain = decipher.update(Buffer.from(text, 'base64url'));
      const seq = plain.readBigUInt64BE(8);
      return plain.readBigUInt64BE(0) === BigInt(orgId) && seq <= Number.MAX_SAFE_INTEGER
        ? Number(seq)
        : undefined;
    },
  };
}

export type PositionCodec = Awaited<ReturnType<typeof createPositionCodec>>;
