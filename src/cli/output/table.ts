import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';
import { LIST_COLUMNS, type ListColumn, listHeaders, listRow } from '../../format/columns.js';
import type { FormatEncoder } from '../../format/event-writer.js';
import { createPalette, type Palette } from './colors.js';
import { type ColumnLayout, hiddenColumnsNote, layoutCells, planLayout, textWidth } from './column-layout.js';

export interface TableOptions {
  zone: string;
  color: boolean;
  /** Columns of the terminal; without it nothing is cut to fit. */
  terminalWidth?: number | undefined;
  /** How many rows are measured before the columns are planned: a screenful on a terminal. */
  sampleRows?: number | undefined;
  /** The columns to show, in order (default: the list's usual seven). */
  columns?: readonly ListColumn[] | undefined;
  /** Every column, nothing cut or hidden (`--wide`). */
  wide?: boolean | undefined;
  /** Told once, when the columns are planned, that some were hidden to fit the terminal. */
  onHiddenColumns?: ((note: string) => void) | undefined;
}

// Without a screen to fill, enough rows to size the columns well; memory stays bounded.
const DEFAULT_SAMPLE_ROWS = 1000;

/**
 * A table as a stream: the first `sampleRows` rows are held to plan the columns (widths and which
 * fit the terminal), then written; every later row is written the moment it arrives, cut to the
 * planned widths. Memory stays that of one screenful, however many rows follow. Borderless, as
 * kubectl and gh print: a log has many rows, and box lines double their height.
 */
export function tableEncoder(options: TableOptions): FormatEncoder {
  const columns = options.columns ?? LIST_COLUMNS;
  const palette = createPalette(options.color);
  const headers = listHeaders(options.zone, columns);
  const sampleRows = Math.max(1, options.sampleRows ?? DEFAULT_SAMPLE_ROWS);
  const natural = headers.map(textWidth);
  let held: { event: AuditEvent; cells: string[] }[] = [];
  let layout: ColumnLayout | undefined;

  const line = (event: AuditEvent, cells: string[], plan: ColumnLayout) =>
    `${layoutCells(plan, cells, cellStyle(event, columns, palette))}\n`;
  const plan = (): string => {
    const planned = planLayout({
      columns,
      natural,
      headers: headers.map(textWidth),
      terminalWidth: options.terminalWidth,
      wide: options.wide,
    });
    layout = planned;
    const note = hiddenColumnsNote(planned);
    if (note) options.onHiddenColumns?.(note);
    let text = `${palette.header(layoutCells(planned, headers))}\n`;
    for (const row of held) text += line(row.event, row.cells, planned);
    held = [];
    return text;
  };

  return {
    event(event) {
      const cells = listRow(event, options.zone, columns);
      if (layout) return line(event, cells, layout);
      cells.forEach((cell, index) => {
        natural[index] = Math.max(natural[index] ?? 0, textWidth(cell));
      });
      held.push({ event, cells });
      return held.length < sampleRows ? '' : plan();
    },
    finish: (count) => (count === 0 || layout ? '' : plan()),
  };
}

/** Security-relevant events in red; otherwise a dim time, and category and action in its colour. */
function cellStyle(
  event: AuditEvent,
  columns: readonly ListColumn[],
  palette: Palette,
): ((text: string, index: number) => string) | undefined {
  if (!palette.enabled) return undefined;
  if (isSecurityRelevant(event)) return (text) => (text === '' ? text : palette.alert(text));
  const ofCategory = palette.category(event.category);
  return (text, index) => {
    const name = columns[index]?.name;
    if (text === '') return text;
    if (name === 'time') return palette.dim(text);
    return name === 'category' || name === 'action' ? ofCategory(text) : text;
  };
}
