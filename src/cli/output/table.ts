import Table from 'cli-table3';
import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';
import { LIST_COLUMNS, LIST_HEADERS, type ListColumn, listRow } from '../../format/columns.js';
import { createPalette, type Palette } from './colors.js';

export interface TableOptions {
  zone: string;
  color: boolean;
  /** Columns of the terminal; without it nothing is truncated. */
  terminalWidth?: number;
  /** The columns `--columns` chose, in their order; default LIST_COLUMNS. */
  columns?: readonly ListColumn[] | undefined;
}

const COLUMN_GAP = 2;
const DESCRIPTION = LIST_COLUMNS.length - 1;
// Widest a column grows before it is truncated.
const MAX_WIDTHS = [19, 8, 32, 24, 24, 39, Number.POSITIVE_INFINITY];
// Narrowest each column may become: first comfortably, else at a pinch. An IPv4 address is never cut.
const COMFORTABLE_WIDTHS = [19, 8, 20, 14, 16, 15, 24];
const PINCHED_WIDTHS = [19, 8, 12, 8, 8, 15, 16];
// On a terminal too narrow for every column, these go first (IP, TARGET, CATEGORY, ACTOR).
const DROP_ORDER = [5, 4, 1, 3];

// Borderless, like kubectl and gh: a log has many rows, and box lines double their height.
const BORDERLESS = {
  top: '',
  'top-mid': '',
  'top-left': '',
  'top-right': '',
  bottom: '',
  'bottom-mid': '',
  'bottom-left': '',
  'bottom-right': '',
  left: '',
  'left-mid': '',
  mid: '',
  'mid-mid': '',
  right: '',
  'right-mid': '',
  middle: ' '.repeat(COLUMN_GAP),
};

// Code points, not terminal cells: close enough to plan widths; cli-table3 measures exactly.
const textWidth = (text: string) => [...text].length;

/** The rows of `events` as one table, truncated with `…` to fit the terminal. */
export function renderEventTable(events: readonly AuditEvent[], options: TableOptions): string {
  const palette = createPalette(options.color);
  const columns = options.columns ?? LIST_COLUMNS;
  const headers = columns === LIST_COLUMNS ? LIST_HEADERS : columns.map((column) => column.header);
  const rows = events.map((event) => listRow(event, options.zone, columns));
  const natural = headers.map((header, index) =>
    Math.max(textWidth(header), ...rows.map((row) => textWidth(row[index] ?? ''))),
  );
  const plan =
    columns === LIST_COLUMNS
      ? planColumns(natural, options.terminalWidth)
      : planChosenColumns(natural, columns, options.terminalWidth);
  const table = new Table({
    head: plan.visible.map((index) => palette.header(headers[index] ?? '')),
    colWidths: plan.widths,
    chars: BORDERLESS,
    style: { 'padding-left': 0, 'padding-right': 0, head: [], border: [] },
  });
  const names = columns.map((column) => column.name);
  events.forEach((event, rowIndex) => {
    const cells = styleRow(rows[rowIndex] ?? [], names, event, palette);
    table.push(plan.visible.map((index) => cells[index] ?? ''));
  });
  return `${table
    .toString()
    .split('\n')
    .map((line) => line.trimEnd())
    .join('\n')}\n`;
}

function styleRow(cells: string[], names: readonly string[], event: AuditEvent, palette: Palette): string[] {
  if (!palette.enabled) return cells;
  if (isSecurityRelevant(event)) return cells.map((cell) => (cell === '' ? cell : palette.alert(cell)));
  const ofCategory = palette.category(event.category);
  return cells.map((cell, index) => {
    if (cell === '') return cell;
    const name = names[index];
    if (name === 'time') return palette.dim(cell);
    return name === 'category' || name === 'action' ? ofCategory(cell) : cell;
  });
}

// A chosen column (`--columns`) other than the description grows at most this wide.
const CHOSEN_MAX_WIDTH = 40;
const CHOSEN_MIN_WIDTH = 8;

/**
 * The plan for columns the user chose: all of them shown (they were asked for), the
 * description taking what is left, then the widest shrinking; past that the terminal wraps.
 */
function planChosenColumns(
  natural: number[],
  columns: readonly ListColumn[],
  terminalWidth: number | undefined,
): ColumnPlan {
  const descriptionAt = columns.findIndex((column) => column.name === 'description');
  const capped = natural.map((width, index) =>
    index === descriptionAt ? width : Math.min(width, CHOSEN_MAX_WIDTH),
  );
  const visible = capped.map((_, index) => index);
  if (terminalWidth === undefined || terminalWidth <= 0) return { visible, widths: capped };
  const floors = capped.map((width) => Math.min(width, CHOSEN_MIN_WIDTH));
  const room = terminalWidth - COLUMN_GAP * (visible.length - 1);
  return { visible, widths: fitColumns([...capped], floors, descriptionAt, room) ?? floors };
}

interface ColumnPlan {
  visible: number[];
  widths: number[];
}

/**
 * Which columns to show and how wide: every column at its natural width up to its maximum, the
 * description taking what is left. On a narrower terminal, columns shrink to comfortable widths,
 * dropping the least useful ones, before any is squeezed further. Past that the terminal wraps.
 */
function planColumns(natural: number[], terminalWidth: number | undefined): ColumnPlan {
  const capped = natural.map((width, index) => Math.min(width, MAX_WIDTHS[index] ?? width));
  const all = capped.map((_, index) => index);
  if (terminalWidth === undefined || terminalWidth <= 0) return { visible: all, widths: capped };

  let visible = all;
  for (const minimums of [COMFORTABLE_WIDTHS, PINCHED_WIDTHS]) {
    for (let dropped = 0; dropped <= DROP_ORDER.length; dropped += 1) {
      visible = all.filter((index) => !DROP_ORDER.slice(0, dropped).includes(index));
      const floors = visible.map((index) => Math.min(minimums[index] ?? 1, capped[index] ?? 1));
      const widths = fitColumns(
        visible.map((index) => capped[index] ?? 0),
        floors,
        visible.indexOf(DESCRIPTION),
        terminalWidth - COLUMN_GAP * (visible.length - 1),
      );
      if (widths) return { visible, widths };
    }
  }
  return { visible, widths: visible.map((index) => PINCHED_WIDTHS[index] ?? 1) };
}

/** `widths` shrunk to fit `room` without going below `floors`, or undefined when they cannot. */
function fitColumns(
  widths: number[],
  floors: number[],
  descriptionAt: number,
  room: number,
): number[] | undefined {
  const total = () => widths.reduce((sum, width) => sum + width, 0);
  // The description gives way first: it is the one column worth reading truncated.
  if (descriptionAt >= 0 && total() > room) {
    const others = total() - (widths[descriptionAt] ?? 0);
    widths[descriptionAt] = Math.max(room - others, floors[descriptionAt] ?? 1);
  }
  // Then the widest column above its floor loses a character at a time.
  while (total() > room) {
    let widest = -1;
    widths.forEach((width, position) => {
      if (width > (floors[position] ?? 1) && (widest < 0 || width > (widths[widest] ?? 0))) widest = position;
    });
    if (widest < 0) return undefined;
    widths[widest] = (widths[widest] ?? 1) - 1;
  }
  return widths;
}
