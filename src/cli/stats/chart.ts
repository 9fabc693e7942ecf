/** `audit stats` on a terminal: a title, then the chart its dimensions call for, then the total. */
import type { StatsData } from '../../client/types.js';
import { categoryForAction } from '../../domain/catalogue.js';
import { isTimeDimension, type StatsDimension, type StatsGroup } from '../../domain/stats.js';
import {
  formatCount,
  renderBarChart,
  renderHourSparklines,
  renderStackedBars,
  renderTimeBars,
  type StackedRow,
  type StackedSeries,
} from '../output/charts/index.js';
import { createPalette } from '../output/colors.js';
import { hourLabel, keyLabel, OTHER_LABEL, titleParts, wrapParts } from './labels.js';
import type { StatsRequest } from './request.js';

export interface StatsChartOptions {
  width: number;
  color: boolean;
  /** The session's zone, for a title when the answer names none the CLI knows. */
  zone: string;
}

/** The lines of the chart; bars by group, bars or sparklines by time, stacked bars for both. */
export function statsChartLines(
  data: StatsData,
  request: StatsRequest,
  options: StatsChartOptions,
): string[] {
  const palette = createPalette(options.color);
  const title = wrapParts(titleParts(data, request, options.zone), options.width).map((line) =>
    palette.header(line),
  );
  if (data.total === 0) return [...title, '', 'No events in this range.'];
  const time = request.dimensions.find(isTimeDimension);
  const keys = request.dimensions.filter((dimension) => !isTimeDimension(dimension));
  const chart = { width: options.width, color: options.color };
  let lines: string[];
  if (time === undefined) {
    const bars = data.groups.map((group) => ({
      label: group.other ? OTHER_LABEL : keys.map((dimension) => keyLabel(group, dimension)).join(' · '),
      count: group.count,
      category: categoryOf(group, keys),
    }));
    lines = renderBarChart(bars, { ...chart, total: data.total });
  } else if (keys.length === 0) {
    const points = data.groups.map((group) => ({ at: String(group[time]), count: group.count }));
    const only = request.params.category?.length === 1 ? request.params.category[0] : undefined;
    lines = (time === 'day' ? renderTimeBars : renderHourSparklines)(points, { ...chart, category: only });
  } else {
    lines = stacked(data.groups, time, keys[0] as StatsDimension, chart);
  }
  return [...title, '', ...lines, '', footer(data)];
}

function footer(data: StatsData): string {
  const total = `${formatCount(data.total)} event${data.total === 1 ? '' : 's'}`;
  const hasOther = data.groups.some((group) => group.other);
  return hasOther && data.top !== null ? `${total}; (other) sums all but the top ${data.top}` : total;
}

/** The colour of a group: its category, or its action's; none for other dimensions. */
function categoryOf(group: StatsGroup, dimensions: readonly StatsDimension[]): string | undefined {
  if (group.other) return undefined;
  if (dimensions.includes('category') && typeof group.category === 'string') return group.category;
  if (dimensions.includes('action') && typeof group.action === 'string')
    return categoryForAction(group.action);
  return undefined;
}

const OTHER_SERIES = '\u0000other';

/** One stacked bar per time bucket, a series per key of the other dimension, largest first. */
function stacked(
  groups: readonly StatsGroup[],
  time: 'day' | 'hour',
  dimension: StatsDimension,
  chart: { width: number; color: boolean },
): string[] {
  const rows = new Map<string, { series: string; count: number }[]>();
  const totals = new Map<string, number>();
  const series = new Map<string, StackedSeries>();
  for (const group of groups) {
    const bucket = String(group[time]);
    const parts = rows.get(bucket) ?? [];
    if (!rows.has(bucket)) rows.set(bucket, parts);
    // An empty bucket comes as one group of count 0: a row, but no series.
    if (group.count <= 0) continue;
    const key = group.other ? OTHER_SERIES : keyLabel(group, dimension);
    if (!series.has(key)) {
      series.set(key, { key, label: keyLabel(group, dimension), category: categoryOf(group, [dimension]) });
    }
    totals.set(key, (totals.get(key) ?? 0) + group.count);
    parts.push({ series: key, count: group.count });
  }
  const ordered = [...series.values()].sort(
    (a, b) =>
      Number(a.key === OTHER_SERIES) - Number(b.key === OTHER_SERIES) ||
      (totals.get(b.key) ?? 0) - (totals.get(a.key) ?? 0) ||
      (a.key < b.key ? -1 : a.key > b.key ? 1 : 0),
  );
  const wallClocks = new Map<string, number>();
  for (const bucket of rows.keys())
    wallClocks.set(hourLabel(bucket, false), (wallClocks.get(hourLabel(bucket, false)) ?? 0) + 1);
  const stackedRows: StackedRow[] = [...rows].map(([bucket, parts]) => ({
    label: time === 'day' ? bucket : hourLabel(bucket, (wallClocks.get(hourLabel(bucket, false)) ?? 0) > 1),
    parts,
  }));
  return renderStackedBars(stackedRows, ordered, chart);
}
