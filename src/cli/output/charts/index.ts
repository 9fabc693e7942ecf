/** The terminal charts of `audit stats` and `audit report security`. */
export { type BarChartOptions, renderBarChart } from './bar-chart.js';
export {
  type ChartBar,
  type ChartOptions,
  formatCount,
  formatPercent,
  MIN_CHART_WIDTH,
} from './chart-text.js';
export { renderFindingChart } from './finding-chart.js';
export { renderStackedBars, type StackedRow, type StackedSeries } from './stacked-chart.js';
export { renderHourSparklines, renderTimeBars, type TimeChartOptions, type TimePoint } from './time-chart.js';
export { chartWidth } from './width.js';
