/**
 * The pieces every terminal chart is made of: bars of eighth blocks, counts and percentages in
 * fixed-width columns, and label cells. Labels are the server's text (an actor, an IP, an action
 * name): every one is sanitized before it is measured, cut or shown.
 */
import { sanitizeForDisplay } from '../../../format/sanitize.js';
import { createPalette, type Palette } from '../colors.js';
import { cutToWidth, textWidth } from '../text-width.js';

/** What every chart is given: the columns it may use and whether it may colour. */
export interface ChartOptions {
  /** Terminal columns; no line of the chart is wider. */
  width: number;
  color: boolean;
}

/** One bar: a label, its count, and the category whose colour it takes (none: plain). */
export interface ChartBar {
  label: string;
  count: number;
  category?: string | undefined;
}

/** The narrowest chart drawn; a narrower terminal wraps it. */
export const MIN_CHART_WIDTH = 40;

const PARTIAL_BLOCKS = ['', '▏', '▎', '▍', '▌', '▋', '▊', '▉'];
const FULL_BLOCK = '█';

/**
 * A bar `count / max` of `cells` columns long, to an eighth of a column; any count above zero
 * shows at least an eighth, so a small group never looks empty.
 */
export function eighthsBar(count: number, max: number, cells: number): string {
  if (count <= 0 || max <= 0 || cells <= 0) return '';
  const eighths = Math.min(cells * 8, Math.max(1, Math.round((count / max) * cells * 8)));
  return FULL_BLOCK.repeat(Math.floor(eighths / 8)) + PARTIAL_BLOCKS[eighths % 8];
}

/** `1234567` → `1,234,567`. */
export function formatCount(count: number): string {
  return String(count).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
}

/** One decimal; a share too small to show as 0.1 % says so instead of rounding to zero. */
export function formatPercent(count: number, total: number): string {
  if (total <= 0 || count <= 0) return '0.0%';
  const percent = (count / total) * 100;
  return percent < 0.05 ? '<0.1%' : `${percent.toFixed(1)}%`;
}

/** A label as it may be shown: sanitized, and `(empty)` when nothing printable is left. */
export function displayLabel(label: string): string {
  const shown = sanitizeForDisplay(label).trim();
  return shown === '' ? '(empty)' : shown;
}

/** `text` (already sanitized) cut to `width` columns when wider, padded with spaces when narrower. */
export function fitCell(text: string, width: number): string {
  const fitted = textWidth(text) > width ? cutToWidth(text, width) : text;
  return fitted + ' '.repeat(Math.max(0, width - textWidth(fitted)));
}

/** `text` padded on the left to `width` columns. */
export function alignRight(text: string, width: number): string {
  return ' '.repeat(Math.max(0, width - textWidth(text))) + text;
}

/** Widest of the labels, at most `cap` columns. */
export function labelColumnWidth(labels: readonly string[], cap: number): number {
  return Math.min(cap, Math.max(1, ...labels.map(textWidth)));
}

/** The colours of a chart; their escape codes are never counted in a width. */
export function chartPalette(options: ChartOptions): Palette {
  return createPalette(options.color);
}

export function chartWidthOf(options: ChartOptions): number {
  return Math.max(MIN_CHART_WIDTH, Math.floor(options.width));
}
