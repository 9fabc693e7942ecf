import type { FindingChart } from '../../../domain/review.js';
import { cutToWidth, textWidth } from '../text-width.js';
import { renderBarChart } from './bar-chart.js';
import { type ChartOptions, chartPalette, chartWidthOf, displayLabel } from './chart-text.js';
import { renderDayStrip, renderHourSparklines, renderTimeBars } from './time-chart.js';

/** More days than this are drawn as a strip of one character a day, not a line each. */
const MAX_DAY_BARS = 14;

/**
 * A finding's chart (`audit report security`): its title, then bars by label, a bar per day (a
 * strip of one character a day past two weeks), or a sparkline of hours per day. Titles and labels are the server's text and are sanitized.
 */
export function renderFindingChart(chart: FindingChart, options: ChartOptions): string[] {
  const width = chartWidthOf(options);
  const title = displayLabel(chart.title);
  const heading = chartPalette(options).header(textWidth(title) > width ? cutToWidth(title, width) : title);
  if (chart.kind === 'bars') return [heading, ...renderBarChart(chart.bars, options)];
  const draw =
    chart.bucket === 'hour'
      ? renderHourSparklines
      : chart.points.length > MAX_DAY_BARS
        ? renderDayStrip
        : renderTimeBars;
  return [heading, ...draw(chart.points, options)];
}
