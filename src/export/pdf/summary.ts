/** The first page(s): what the report covers, then counts by category and by day (or month). */

import { CATEGORIES } from '../../domain/categories.js';
import { formatTimestamp, zoneLabel } from '../../format/time-format.js';
import { BOLD, FONT, MUTED, type PageFlow } from './layout.js';
import type { SpoolStats } from './spool.js';
import { pdfText } from './text.js';
import type { PdfReportOptions } from './types.js';

const ROW = 12.5;
const GAP = 28;
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
/** More days than this are counted by month. */
const MAX_DAY_ROWS = 60;

interface CountColumn {
  header: string;
  width: number;
  align: 'left' | 'right';
}
interface CountRow {
  cells: string[];
  bold?: boolean;
}

export const formatCount = (count: number) => count.toLocaleString('en-US');

export function drawSummary(
  flow: PageFlow,
  options: PdfReportOptions,
  stats: SpoolStats,
  generatedAt: Date,
): void {
  let y = flow.newPage();
  y = flow.paragraph(pdfText(options.title), flow.left, y, flow.width, 2, { font: BOLD, size: 20 }) + 2;
  y = flow.paragraph(pdfText(options.organization), flow.left, y, flow.width, 2, { size: 13 }) + 8;

  const zone = pdfText(options.zone);
  const when = (ms: number) =>
    `${formatTimestamp(new Date(ms).toISOString(), options.zone)} ${zoneLabel(options.zone, ms)}`;
  const filters = Object.entries(options.filters).map(([key, value]) => `${pdfText(key)}: ${pdfText(value)}`);
  const facts: [string, string[]][] = [
    ['Period', [pdfText(options.period)]],
    ['Filters', filters.length > 0 ? filters : ['none']],
    ['Time zone', [`${zone} (all times in this report)`]],
    ['Generated', [pdfText(when(generatedAt.getTime()))]],
    ['Total events', [formatCount(stats.count)]],
  ];
  if (stats.first !== undefined && stats.last !== undefined) {
    facts.push(['First / last event', [pdfText(`${when(stats.first)} / ${when(stats.last)}`)]]);
  }
  facts.push([
    'Security-relevant',
    [
      `${formatCount(stats.security)} (failed sign-ins, role changes, API tokens created or revoked: bold, tinted rows)`,
    ],
  ]);
  for (const [label, values] of facts) {
    flow.text(label, flow.left, y, { font: BOLD, size: 9.5 });
    for (const value of values) {
      y = flow.paragraph(value, flow.left + 110, y, flow.width - 110, 3, { size: 9.5 });
    }
    y += 1.5;
  }
  y += 14;

  const page = flow.pageNumber;
  const categoryEnd = drawCounts(
    flow,
    flow.left,
    flow.left + 240,
    y,
    'Events by category',
    categoryTable(stats),
  );
  const byMonth = stats.byDay.size > MAX_DAY_ROWS;
  const title = `Events by ${byMonth ? 'month' : 'day'} (${zone})`;
  if (flow.pageNumber === page)
    drawCounts(flow, flow.left + 240 + GAP, flow.right, y, title, timeTable(stats, byMonth));
  else drawCounts(flow, flow.left, flow.right, categoryEnd + 14, title, timeTable(stats, byMonth));
}

function categoryTable(stats: SpoolStats): [CountColumn[], CountRow[]] {
  const known = CATEGORIES as readonly string[];
  const others = [...stats.byCategory.keys()].filter((category) => !known.includes(category)).sort();
  const share = (count: number) => (stats.count === 0 ? '-' : `${((100 * count) / stats.count).toFixed(1)}%`);
  const rows: CountRow[] = [...known, ...others].map((category) => {
    const count = stats.byCategory.get(category) ?? 0;
    return { cells: [pdfText(category), formatCount(count), share(count)] };
  });
  rows.push({ cells: ['Total', formatCount(stats.count), share(stats.count)], bold: true });
  const columns: CountColumn[] = [
    { header: 'Category', width: 100, align: 'left' },
    { header: 'Events', width: 60, align: 'right' },
    { header: 'Share', width: 50, align: 'right' },
  ];
  return [columns, rows];
}

function timeTable(stats: SpoolStats, byMonth: boolean): [CountColumn[], CountRow[]] {
  const counts = new Map<string, number>();
  for (const [day, count] of stats.byDay) {
    const key = byMonth && day !== 'unknown' ? day.slice(0, 7) : day;
    counts.set(key, (counts.get(key) ?? 0) + count);
  }
  const rows = [...counts.keys()]
    .sort()
    .map((key) => ({ cells: [periodLabel(key), formatCount(counts.get(key) ?? 0)] }));
  const columns: CountColumn[] = [
    { header: byMonth ? 'Month' : 'Date', width: 82, align: 'left' },
    { header: 'Events', width: 50, align: 'right' },
  ];
  return [columns, rows];
}

/** `Mon 2024-01-15`, or `Jan 2024` for a month key. */
function periodLabel(key: string): string {
  const [year, month, day] = key.split('-').map(Number);
  if (year === undefined || month === undefined || Number.isNaN(year) || Number.isNaN(month)) return key;
  if (day === undefined) return `${MONTHS[month - 1] ?? month} ${year}`;
  const weekday = new Date(Date.UTC(2000, 0, 1));
  weekday.setUTCFullYear(year, month - 1, day);
  return `${WEEKDAYS[weekday.getUTCDay()]} ${key}`;
}

/**
 * A small table of counts between `x` and `right`, in as many side-by-side blocks as fit,
 * continued on further pages (full width) when it is longer; returns the y below it.
 */
function drawCounts(
  flow: PageFlow,
  x: number,
  right: number,
  top: number,
  title: string,
  [columns, rows]: [CountColumn[], CountRow[]],
): number {
  const blockWidth = columns.reduce((sum, column) => sum + column.width, 0);
  let region = { left: x, right, top, heading: title };
  let next = 0;
  for (;;) {
    if (region.top + 18 + ROW * 3 > flow.bottom) {
      region = { left: flow.left, right: flow.right, top: flow.newPage(), heading: `${title} (continued)` };
    }
    flow.text(region.heading, region.left, region.top, { font: BOLD, size: 11 });
    const tableTop = region.top + 18;
    const capacity = Math.max(1, Math.floor((flow.bottom - tableTop) / ROW) - 1);
    const blocks = Math.max(1, Math.floor((region.right - region.left + GAP) / (blockWidth + GAP)));
    // Balanced blocks: 40 days in three blocks of 14, 14 and 12 rather than 35 and 5.
    const remaining = rows.length - next;
    const used = Math.max(1, Math.min(blocks, Math.ceil(remaining / capacity)));
    const perBlock = Math.max(1, Math.min(capacity, Math.ceil(remaining / used)));
    let end = tableTop;
    for (let block = 0; block < used; block++) {
      const chunk = rows.slice(next, next + perBlock);
      next += chunk.length;
      end = Math.max(
        end,
        drawBlock(flow, region.left + block * (blockWidth + GAP), tableTop, columns, chunk),
      );
    }
    if (next >= rows.length) return end;
    region = { ...region, top: flow.bottom };
  }
}

function drawBlock(flow: PageFlow, x: number, top: number, columns: CountColumn[], rows: CountRow[]): number {
  const width = columns.reduce((sum, column) => sum + column.width, 0);
  const drawRow = (cells: string[], y: number, font: string, color?: string) => {
    let left = x;
    columns.forEach((column, index) => {
      flow.text(cells[index] ?? '', left + 3, y + 2.5, {
        font,
        size: 8.5,
        width: column.width - 6,
        align: column.align,
        color,
      });
      left += column.width;
    });
  };
  flow.rect(x, top, width, ROW, '#dcdcdc');
  drawRow(
    columns.map((column) => column.header),
    top,
    BOLD,
  );
  let y = top + ROW;
  if (rows.length === 0) drawRow(['none'], y, FONT, MUTED);
  rows.forEach((row, index) => {
    if (index % 2 === 1) flow.rect(x, y, width, ROW, '#f3f3f3');
    if (row.bold) flow.rule(x, x + width, y, '#888888');
    drawRow(row.cells, y, row.bold ? BOLD : FONT);
    y += ROW;
  });
  flow.rule(x, x + width, y, '#888888');
  return y + (rows.length === 0 ? ROW : 0);
}
