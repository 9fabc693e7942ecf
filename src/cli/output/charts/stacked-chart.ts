import type { Category } from '../../../domain/categories.js';
import { cutToWidth, textWidth } from '../text-width.js';
import {
  alignRight,
  type ChartOptions,
  chartPalette,
  chartWidthOf,
  displayLabel,
  fitCell,
  formatCount,
  labelColumnWidth,
} from './chart-text.js';

/** One series of a stacked chart (a category, an action, an IP …), in legend order. */
export interface StackedSeries {
  key: string;
  label: string;
  /** Colours the series; a series without one borrows a colour from a fixed cycle. */
  category?: string | undefined;
}

/** One bar (a day, an hour): the count of each series in it. */
export interface StackedRow {
  label: string;
  parts: readonly { series: string; count: number }[];
}

// Each series has its own glyph as well as its colour, so the chart reads without colour too.
const GLYPHS = ['█', '▓', '▒', '░', '#', '=', '+', ':', '*', '~', '%', 'o'];
// Colours for series that are not categories, as the palette gives them to these categories.
const COLOUR_CYCLE: readonly Category[] = ['auth', 'team', 'tunnel', 'billing', 'review', 'security'];
const GAP = '  ';
const LABEL_SHARE = 0.3;
const LEGEND_GAP = '   ';

/**
 * Stacked bars, one line per row, scaled to the largest row's total, then a legend: each
 * series' glyph, label and total. Whole cells only: a part too small for a cell shows in its
 * row's count and the legend, not in the bar.
 */
export function renderStackedBars(
  rows: readonly StackedRow[],
  series: readonly StackedSeries[],
  options: ChartOptions,
): string[] {
  if (rows.length === 0) return [];
  const width = chartWidthOf(options);
  const palette = chartPalette(options);
  const index = new Map(series.map((entry, at) => [entry.key, at]));
  const styles = series.map((entry, at) => {
    const glyph = GLYPHS[at % GLYPHS.length] as string;
    const colour = palette.category(entry.category ?? (COLOUR_CYCLE[at % COLOUR_CYCLE.length] as string));
    return (cells: number) => (cells > 0 ? colour(glyph.repeat(cells)) : '');
  });
  const totals = rows.map((row) => row.parts.reduce((sum, part) => sum + part.count, 0));
  const counts = totals.map(formatCount);
  const countWidth = Math.max(...counts.map((count) => count.length));
  const labels = rows.map((row) => displayLabel(row.label));
  const labelWidth = labelColumnWidth(labels, Math.floor(width * LABEL_SHARE));
  const barCells = Math.max(1, width - labelWidth - countWidth - GAP.length * 2);
  const max = Math.max(0, ...totals);
  const lines = rows.map((row, at) => {
    const total = totals[at] as number;
    const length = total === 0 ? 0 : Math.max(1, Math.round((total / max) * barCells));
    const ordered = [...row.parts].sort(
      (a, b) => (index.get(a.series) ?? series.length) - (index.get(b.series) ?? series.length),
    );
    const cells = shareCells(
      ordered.map((part) => part.count),
      length,
    );
    const bar = ordered.map((part, n) => styles[index.get(part.series) ?? -1]?.(cells[n] as number) ?? '');
    const padding = ' '.repeat(barCells - length);
    return `${fitCell(labels[at] as string, labelWidth)}${GAP}${bar.join('')}${padding}${GAP}${alignRight(counts[at] as string, countWidth)}`;
  });
  return [...lines, '', ...legend(rows, series, styles, width)];
}

/** `cells` shared among `counts` in proportion, by largest remainder, so they add up exactly. */
export function shareCells(counts: readonly number[], cells: number): number[] {
  const total = counts.reduce((sum, count) => sum + count, 0);
  if (total <= 0) return counts.map(() => 0);
  const exact = counts.map((count) => (count / total) * cells);
  const shares = exact.map(Math.floor);
  let left = cells - shares.reduce((sum, share) => sum + share, 0);
  const byRemainder = exact
    .map((value, at) => ({ at, remainder: value - Math.floor(value) }))
    .sort((a, b) => b.remainder - a.remainder || a.at - b.at);
  for (const { at } of byRemainder) {
    if (left <= 0) break;
    shares[at] = (shares[at] as number) + 1;
    left--;
  }
  return shares;
}

/** `█ auth 1,234   ▓ team 56`, wrapped to the width; each label cut to half of it at most. */
function legend(
  rows: readonly StackedRow[],
  series: readonly StackedSeries[],
  styles: readonly ((cells: number) => string)[],
  width: number,
): string[] {
  const totals = new Map<string, number>();
  for (const row of rows)
    for (const part of row.parts) totals.set(part.series, (totals.get(part.series) ?? 0) + part.count);
  const entries = series.map((entry, at) => {
    const count = formatCount(totals.get(entry.key) ?? 0);
    const room = Math.max(4, Math.floor(width / 2) - count.length - 3);
    const label = displayLabel(entry.label);
    const shown = textWidth(label) > room ? cutToWidth(label, room) : label;
    return {
      text: `${styles[at]?.(1) ?? ''} ${shown} ${count}`,
      width: 2 + textWidth(shown) + 1 + count.length,
    };
  });
  const lines: string[] = [];
  let line = '';
  let used = 0;
  for (const entry of entries) {
    if (used > 0 && used + LEGEND_GAP.length + entry.width > width) {
      lines.push(line);
      line = '';
      used = 0;
    }
    line += (used > 0 ? LEGEND_GAP : '') + entry.text;
    used += (used > 0 ? LEGEND_GAP.length : 0) + entry.width;
  }
  if (line !== '') lines.push(line);
  return lines;
}
