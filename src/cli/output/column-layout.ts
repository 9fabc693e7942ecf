/**
 * How a list of events fits a terminal, shared by the table (`audit logs`, `search`) and the
 * followed lines of `audit tail`: which columns to show, how wide, and each event on one line.
 * Hints are keyed by column name, so any set of columns, in any order, gets the same treatment.
 */
import { EVENT_COLUMNS, LIST_COLUMNS, type ListColumn } from '../../format/columns.js';
import { cutToWidth, textWidth } from './text-width.js';

export { textWidth };

export interface ColumnHint {
  /** On a narrow terminal the column with the highest number is hidden first. */
  priority: number;
  /** Narrowest it is squeezed to before a column is hidden. */
  min: number;
  /** Width a followed log (no rows to measure) gives it. */
  typical: number;
  /** Widest it grows; a longer value is cut with `…`. */
  max: number;
  /** Never cut (an IP, an id): a longer value pushes the rest of its line instead. */
  whole?: true;
  /** Shortened first when the line is too long, and given whatever room is left. */
  flexible?: true;
}

const UNBOUNDED = Number.POSITIVE_INFINITY;

// At 80 columns TIME, ACTION, ACTOR and IP stay (the IP is what an incident needs), then
// TARGET and CATEGORY; the description gives up its width first.
const HINTS: Readonly<Record<string, ColumnHint>> = {
  time: { priority: 1, min: 19, typical: 19, max: 19 },
  ip: { priority: 2, min: 15, typical: 15, max: 45, whole: true },
  id: { priority: 3, min: 30, typical: 30, max: UNBOUNDED, whole: true },
  action: { priority: 4, min: 12, typical: 24, max: 32 },
  actor: { priority: 5, min: 10, typical: 20, max: 24 },
  description: { priority: 6, min: 10, typical: UNBOUNDED, max: UNBOUNDED, flexible: true },
  target: { priority: 7, min: 10, typical: 20, max: 24 },
  category: { priority: 8, min: 8, typical: 8, max: 10 },
};
// A column with no hints of its own: shown last, hidden first.
const FALLBACK_HINT: ColumnHint = { priority: 99, min: 8, typical: 16, max: 24 };

export const COLUMN_GAP = '  ';

/** `--wide`: every column there is, the event id first (what `audit logs show` takes). */
export const WIDE_COLUMNS: readonly ListColumn[] = [EVENT_COLUMNS.id as ListColumn, ...LIST_COLUMNS];

export function columnHint(column: ListColumn): ColumnHint {
  return Object.hasOwn(HINTS, column.name) ? (HINTS[column.name] as ColumnHint) : FALLBACK_HINT;
}

/** The widths a followed log plans with, having no rows to measure. */
export function typicalWidths(columns: readonly ListColumn[]): number[] {
  return columns.map((column) => {
    const hint = columnHint(column);
    return Number.isFinite(hint.typical) ? hint.typical : hint.min;
  });
}

export interface ColumnLayout {
  /** Indexes (into the columns given) of the columns shown, in their order. */
  shown: readonly number[];
  /** The width of each shown column. */
  widths: readonly number[];
  /** Cut cells wider than their width (false for --wide or a column that is `whole`). */
  cuts: readonly boolean[];
  /** Which shown columns give way first. */
  flexible: readonly boolean[];
  /** Lines must keep to the terminal's width (false without a terminal, or with --wide). */
  fitsTerminal: boolean;
  /** The columns left out to fit the terminal. */
  hidden: readonly ListColumn[];
}

export interface LayoutRequest {
  columns: readonly ListColumn[];
  /** The widest value of each column seen so far, headers included; typical widths when none. */
  natural: readonly number[];
  /** The widths headers need: a header is never cut. */
  headers: readonly number[];
  /** Columns of the terminal; undefined when the output is no terminal. */
  terminalWidth?: number | undefined;
  /** Every column, nothing cut (`--wide`): the terminal may wrap. */
  wide?: boolean | undefined;
}

/**
 * Every column at its natural width up to its maximum. On a terminal, the flexible column takes
 * what is left; when the line is too long it shortens first, then the others down to their
 * minimum, least important first, and when even that is too long the least important are hidden.
 */
export function planLayout(request: LayoutRequest): ColumnLayout {
  const { columns, natural, headers, terminalWidth } = request;
  const all = columns.map((_, index) => index);
  const hints = columns.map(columnHint);
  if (request.wide) {
    const none = all.map(() => false);
    return {
      shown: all,
      widths: natural.slice(),
      cuts: none,
      flexible: none,
      fitsTerminal: false,
      hidden: [],
    };
  }
  const capped = all.map((index) => {
    const hint = hints[index] as ColumnHint;
    const width = Math.min(natural[index] ?? 0, hint.max);
    return Math.max(width, headers[index] ?? 0);
  });
  const cuts = hints.map((hint) => hint.whole !== true);
  if (terminalWidth === undefined || terminalWidth <= 0) {
    // No terminal to fit: an unbounded column (the description) is never cut either.
    const uncut = all.map((index) => (cuts[index] ?? true) && hints[index]?.max !== UNBOUNDED);
    const flexible = hints.map((hint) => hint.flexible === true);
    return { shown: all, widths: capped, cuts: uncut, flexible, fitsTerminal: false, hidden: [] };
  }
  // A `whole` column may be planned narrower than its widest value: that value then takes its
  // room from the cells after it, on its own line only.
  const floors = all.map((index) =>
    Math.max(Math.min(hints[index]?.min ?? 0, capped[index] ?? 0), headers[index] ?? 0),
  );
  const lineWidth = (indexes: readonly number[], widths: (index: number) => number) =>
    indexes.reduce((sum, index) => sum + widths(index), 0) + COLUMN_GAP.length * (indexes.length - 1);

  const byImportance = [...all].sort((a, b) => (hints[a]?.priority ?? 0) - (hints[b]?.priority ?? 0));
  let shown = all;
  while (shown.length > 1 && lineWidth(shown, (index) => floors[index] ?? 0) > terminalWidth) {
    const leastImportant = byImportance.filter((index) => shown.includes(index)).at(-1);
    shown = shown.filter((index) => index !== leastImportant);
  }
  const widths = fitWidths(shown, capped, floors, hints, terminalWidth - lineWidth(shown, () => 0));
  return {
    shown,
    widths,
    cuts: shown.map((index) => cuts[index] ?? true),
    flexible: shown.map((index) => hints[index]?.flexible === true),
    fitsTerminal: true,
    hidden: all.filter((index) => !shown.includes(index)).map((index) => columns[index] as ListColumn),
  };
}

/** The widths of `shown` within `room`: flexible columns give way first, then the least important. */
function fitWidths(
  shown: readonly number[],
  capped: readonly number[],
  floors: readonly number[],
  hints: readonly ColumnHint[],
  room: number,
): number[] {
  const widths = shown.map((index) => capped[index] ?? 0);
  const floorAt = (position: number) => floors[shown[position] ?? 0] ?? 0;
  const flexible = shown.flatMap((index, position) => (hints[index]?.flexible ? [position] : []));
  const total = () => widths.reduce((sum, width) => sum + width, 0);
  for (const position of flexible) {
    const over = total() - room;
    if (over > 0) widths[position] = Math.max(floorAt(position), (widths[position] ?? 0) - over);
  }
  // Then the `whole` ones (a longer value still shows in full, on its own line), then the least
  // important, each down to its minimum.
  const order = (position: number) => {
    const hint = hints[shown[position] ?? 0];
    return (hint?.whole ? 1000 : 0) + (hint?.priority ?? 0);
  };
  const leastImportantFirst = shown.map((_, position) => position).sort((a, b) => order(b) - order(a));
  for (const position of leastImportantFirst) {
    const over = total() - room;
    if (over <= 0) break;
    widths[position] = Math.max(floorAt(position), (widths[position] ?? 0) - over);
  }
  // What is left goes to the flexible column: a later, longer value has room to show.
  const spare = room - total();
  const taker = flexible.at(-1);
  if (spare > 0 && taker !== undefined) widths[taker] = (widths[taker] ?? 0) + spare;
  return widths;
}

/**
 * The shown cells of one row as one line: each cut to its width with `…` and padded to it (the
 * last one is not padded). A `whole` cell longer than its width is written in full; the other
 * cells of its line give up that room, the flexible ones first, so the line keeps its length.
 */
export function layoutCells(
  layout: ColumnLayout,
  cells: readonly string[],
  style?: (text: string, index: number) => string,
): string {
  const { shown, cuts } = layout;
  const widths = rowWidths(layout, cells);
  const last = shown.length - 1;
  let line = '';
  for (let position = 0; position <= last; position += 1) {
    const index = shown[position] as number;
    const text = cells[index] ?? '';
    const width = widths[position] ?? 0;
    const length = textWidth(text);
    const fitted = length > width && (cuts[position] ?? true) ? cutToWidth(text, width) : text;
    // A wide character that does not fit whole leaves its cut value a column short.
    const fittedWidth = fitted === text ? length : textWidth(fitted);
    if (position > 0) line += COLUMN_GAP;
    line += style ? style(fitted, index) : fitted;
    if (position < last && fittedWidth < width) line += ' '.repeat(width - fittedWidth);
  }
  return line.trimEnd();
}

/** The planned widths, unless a `whole` cell of this row is longer: it then takes from the others. */
function rowWidths(layout: ColumnLayout, cells: readonly string[]): readonly number[] {
  const { shown, widths, cuts, flexible } = layout;
  if (!layout.fitsTerminal) return widths;
  let excess = 0;
  shown.forEach((index, position) => {
    if (cuts[position] === false)
      excess += Math.max(0, textWidth(cells[index] ?? '') - (widths[position] ?? 0));
  });
  if (excess === 0) return widths;
  const row = shown.map((index, position) =>
    cuts[position] === false
      ? Math.max(widths[position] ?? 0, textWidth(cells[index] ?? ''))
      : (widths[position] ?? 0),
  );
  for (const giveFirst of [true, false]) {
    for (;;) {
      let widest = -1;
      row.forEach((width, position) => {
        const gives = cuts[position] !== false && (giveFirst ? flexible[position] : true) && width > 2;
        if (gives && (widest < 0 || width > (row[widest] ?? 0))) widest = position;
      });
      if (excess === 0 || widest < 0) break;
      row[widest] = (row[widest] ?? 0) - 1;
      excess -= 1;
    }
  }
  return row;
}

/** The stderr note when columns were left out, or undefined when none were. */
export function hiddenColumnsNote(layout: ColumnLayout): string | undefined {
  const count = layout.hidden.length;
  if (count === 0) return undefined;
  const names = layout.hidden.map((column) => column.header).join(', ');
  return `${count} ${count === 1 ? 'column' : 'columns'} hidden (${names}); widen the terminal or use --wide`;
}
