/** `audit stats` for programs: TSV (piped), CSV, JSON and NDJSON, the numbers only. */
import type { StatsData } from '../../client/types.js';
import { isTimeDimension, type StatsDimension, type StatsGroup } from '../../domain/stats.js';
import { csvRecord } from '../../format/csv.js';
import { sanitizeForDisplay, stringifyJsonSafely } from '../../format/sanitize.js';
import { OTHER_LABEL } from './labels.js';

export type StatsTableFormat = 'tsv' | 'csv';

/** Header and rows: the dimensions, count, percent of the total (one decimal). */
export function statsTable(data: StatsData, dimensions: readonly StatsDimension[]): string[][] {
  const header = [...dimensions, 'count', 'percent'];
  const rows = data.groups.map((group) => [
    ...dimensions.map((dimension) => cellOf(group, dimension)),
    String(group.count),
    data.total > 0 ? ((group.count / data.total) * 100).toFixed(1) : '0.0',
  ]);
  return [header, ...rows];
}

/**
 * A key as a cell: empty when the events had none; `(other)` in the keys of the rest of top. A
 * key a sender spelled `(other)` is quoted, as on the chart, so it cannot pass for that row.
 */
function cellOf(group: StatsGroup, dimension: StatsDimension): string {
  const value: unknown = group[dimension];
  if (typeof value === 'string') return value === OTHER_LABEL ? JSON.stringify(value) : value;
  return group.other && !isTimeDimension(dimension) ? OTHER_LABEL : '';
}

/**
 * The text to write. TSV cells are made safe for display (a tab or newline in a key becomes a
 * space, so the columns hold); CSV cells keep the data, formulas defused, and are made safe only
 * when a terminal reads them; JSON escapes what a terminal would act on.
 */
export function statsText(
  data: StatsData,
  dimensions: readonly StatsDimension[],
  format: 'tsv' | 'csv' | 'json' | 'ndjson',
  terminal: boolean,
): string {
  switch (format) {
    case 'json':
      return `${stringifyJsonSafely(data, 2)}\n`;
    case 'ndjson':
      return data.groups.map((group) => `${stringifyJsonSafely(group)}\n`).join('');
    case 'tsv':
      return statsTable(data, dimensions)
        .map((row) => `${row.map(sanitizeForDisplay).join('\t')}\n`)
        .join('');
    case 'csv':
      return statsTable(data, dimensions)
        .map((row) => csvRecord(terminal ? row.map(sanitizeForDisplay) : row))
        .join('');
  }
}
