import { sanitizeForDisplay } from '../../format/sanitize.js';

export type Cell = string | number;

/**
 * Writes small listings (webhooks, deliveries, tokens): every cell cleaned of control
 * characters; on a terminal the columns are padded into line, as `kubectl get` does; in a pipe
 * they are tab-separated so `cut -f` and `awk -F'\t'` read them.
 */
export function writeRows(
  stream: NodeJS.WritableStream & { isTTY?: boolean },
  rows: readonly (readonly Cell[])[],
): void {
  const cleaned = rows.map((row) => row.map((cell) => sanitizeForDisplay(String(cell))));
  if (!stream.isTTY) {
    for (const row of cleaned) stream.write(`${row.join('\t')}\n`);
    return;
  }
  const widths: number[] = [];
  for (const row of cleaned)
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, [...cell].length);
    });
  for (const row of cleaned) {
    const padded = row.map((cell, index) =>
      index === row.length - 1 ? cell : cell + ' '.repeat((widths[index] ?? 0) - [...cell].length),
    );
    stream.write(`${padded.join('  ').trimEnd()}\n`);
  }
}
