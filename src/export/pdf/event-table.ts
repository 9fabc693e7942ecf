/**
 * The events as a table, one row at a time: each cell wrapped to its column (cut with an
 * ellipsis past its line limit) so rows never overlap, and the header row repeated on every page.
 */
import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';
import { type Column, eventColumns } from './columns.js';
import { BOLD, FONT, type PageFlow } from './layout.js';
import { fitLines } from './text.js';

const SIZE = 8;
const LINE_HEIGHT = 10;
const PAD_X = 3;
const PAD_Y = 3;
const HEADER_FILL = '#dcdcdc';
const STRIPE_FILL = '#f3f3f3';
const SECURITY_FILL = '#fbe3e0';

export class EventTable {
  private readonly columns: Column[];
  private y = 0;
  private rows = 0;

  constructor(
    private readonly flow: PageFlow,
    private readonly zone: string,
  ) {
    this.columns = eventColumns(flow.width, zone);
  }

  /** Starts the table on a new page. */
  start(): void {
    this.newPage();
  }

  /** Adds one event; returns true when it had to start a new page first. */
  add(event: AuditEvent): boolean {
    const security = isSecurityRelevant(event);
    const cells = this.layout(
      this.columns.map((column) => column.cell(event, this.zone)),
      security ? BOLD : FONT,
    );
    const height = rowHeight(cells);
    let newPage = false;
    if (this.y + height > this.flow.bottom) {
      this.newPage();
      newPage = true;
    }
    const fill = security ? SECURITY_FILL : this.rows % 2 === 1 ? STRIPE_FILL : undefined;
    if (fill) this.flow.rect(this.flow.left, this.y, this.flow.width, height, fill);
    this.draw(cells, security ? BOLD : FONT);
    this.y += height;
    this.rows++;
    return newPage;
  }

  /** Closes the table: a line under the last row, or a note that there was nothing to show. */
  finish(): void {
    if (this.rows === 0) {
      this.flow.text('No events in this period match the filters.', this.flow.left + PAD_X, this.y + PAD_Y, {
        size: 9,
      });
      return;
    }
    this.flow.rule(this.flow.left, this.flow.right, this.y, '#888888');
  }

  private newPage(): void {
    this.y = this.flow.newPage();
    const cells = this.layout(
      this.columns.map((column) => column.header),
      BOLD,
      true,
    );
    const height = rowHeight(cells);
    this.flow.rect(this.flow.left, this.y, this.flow.width, height, HEADER_FILL);
    this.draw(cells, BOLD);
    this.y += height;
    this.flow.rule(this.flow.left, this.flow.right, this.y, '#888888');
  }

  /** Each cell's lines; headers may take two lines in any column. */
  private layout(texts: string[], font: string, header = false): string[][] {
    const measure = this.flow.use(font, SIZE);
    return this.columns.map((column, index) =>
      fitLines(texts[index] ?? '', column.width - 2 * PAD_X, header ? 2 : column.maxLines, measure, SIZE),
    );
  }

  private draw(cells: string[][], font: string): void {
    let x = this.flow.left;
    this.columns.forEach((column, index) => {
      let y = this.y + PAD_Y;
      for (const line of cells[index] ?? []) {
        this.flow.text(line, x + PAD_X, y, { font, size: SIZE });
        y += LINE_HEIGHT;
      }
      x += column.width;
    });
  }
}

function rowHeight(cells: string[][]): number {
  const lines = Math.max(1, ...cells.map((lines) => lines.length));
  return lines * LINE_HEIGHT + 2 * PAD_Y;
}
