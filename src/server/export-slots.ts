import { Problem } from './problem.js';

/** Export streams one token may hold at once, unless the server is told otherwise. */
export const DEFAULT_EXPORTS_PER_TOKEN = 2;

/** Seconds a refused client is told to wait: an export slot frees when a stream ends. */
const RETRY_AFTER_SECONDS = 5;

/**
 * The open export streams: how many each token holds (capped), and how to cut every one of
 * them when the server closes, so shutdown does not wait for a million rows to be sent.
 */
export function createExportSlots(perToken: number) {
  const open = new Set<{ tokenId: number; cut: () => void }>();
  const perTokenCount = new Map<number, number>();

  return {
    /**
     * A slot for a new stream of this token, or a 429 `too-many-exports`. `cut` ends the stream
     * at once; the returned release frees the slot, and may be called any number of times.
     */
    admit(tokenId: number, cut: () => void): () => void {
      const held = perTokenCount.get(tokenId) ?? 0;
      if (held >= perToken) throw tooManyExports(perToken);
      const slot = { tokenId, cut };
      open.add(slot);
      perTokenCount.set(tokenId, held + 1);
      return () => {
        if (!open.delete(slot)) return;
        const left = (perTokenCount.get(tokenId) ?? 1) - 1;
        if (left > 0) perTokenCount.set(tokenId, left);
        else perTokenCount.delete(tokenId);
      };
    },

    /** Cuts every open stream (the server is closing): no end line, the client resumes later. */
    cutAll(): void {
      for (const slot of [...open]) slot.cut();
    },

    count: () => open.size,
  };
}

export type ExportSlots = ReturnType<typeof createExportSlots>;

function tooManyExports(perToken: number): Problem {
  return new Problem(
    429,
    'too-many-exports',
    'Too many exports',
    `already ${perToken} export streams open for this token; wait for one to finish, or retry in ${RETRY_AFTER_SECONDS} s`,
    {},
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}
