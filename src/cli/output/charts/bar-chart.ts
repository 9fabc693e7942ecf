import {
  alignRight,
  type ChartBar,
  type ChartOptions,
  chartPalette,
  chartWidthOf,
  displayLabel,
  eighthsBar,
  fitCell,
  formatCount,
  formatPercent,
  labelColumnWidth,
} from './chart-text.js';

export interface BarChartOptions extends ChartOptions {
  /** Each bar's share of this total is shown after its count; without it, no percentages. */
  total?: number | undefined;
}

const GAP = '  ';
const PERCENT_WIDTH = '100.0%'.length;
// A label never takes more than this share of the line, so the bars keep room to differ.
const LABEL_SHARE = 0.4;
const MIN_BAR_CELLS = 6;

/**
 * A horizontal bar chart, one line per bar in the order given: label, a bar scaled to the
 * largest count, the count, and its share of `total`. A zero count keeps its line with no bar.
 */
export function renderBarChart(bars: readonly ChartBar[], options: BarChartOptions): string[] {
  if (bars.length === 0) return [];
  const width = chartWidthOf(options);
  const palette = chartPalette(options);
  const labels = bars.map((bar) => displayLabel(bar.label));
  const counts = bars.map((bar) => formatCount(bar.count));
  const countWidth = Math.max(...counts.map((count) => count.length));
  const withPercent = options.total !== undefined;
  const fixed = GAP.length * 2 + countWidth + (withPercent ? GAP.length + PERCENT_WIDTH : 0);
  const labelWidth = Math.min(
    labelColumnWidth(labels, Math.floor(width * LABEL_SHARE)),
    Math.max(1, width - fixed - MIN_BAR_CELLS),
  );
  const barCells = Math.max(1, width - fixed - labelWidth);
  const max = Math.max(0, ...bars.map((bar) => bar.count));
  return bars.map((bar, index) => {
    const drawn = eighthsBar(bar.count, max, barCells);
    const style = bar.category === undefined ? (text: string) => text : palette.category(bar.category);
    const padding = ' '.repeat(barCells - [...drawn].length);
    const percent = withPercent
      ? GAP + alignRight(formatPercent(bar.count, options.total ?? 0), PERCENT_WIDTH)
      : '';
    const count = alignRight(counts[index] as string, countWidth);
    return `${fitCell(labels[index] as string, labelWidth)}${GAP}${style(drawn)}${padding}${GAP}${count}${percent}`;
  });
}
