import { renderBarChart } from './bar-chart.js';
import {
  alignRight,
  type ChartOptions,
  chartPalette,
  chartWidthOf,
  displayLabel,
  formatCount,
} from './chart-text.js';

/** A count in one time bucket; `at` is the bucket as the stats API names it (day or hour). */
export interface TimePoint {
  at: string;
  count: number;
}

export interface TimeChartOptions extends ChartOptions {
  /** The colour of every bar or sparkline (a category's); none: plain. */
  category?: string | undefined;
}

const DAY = /^(\d{4}-\d{2}-\d{2})/;
const DAY_AND_HOUR = /^(\d{4}-\d{2}-\d{2})T(\d{2})/;

/** One line per day, in the order given; an empty day keeps its line, with a count of 0. */
export function renderTimeBars(points: readonly TimePoint[], options: TimeChartOptions): string[] {
  const bars = points.map((point) => ({
    label: DAY.exec(point.at)?.[1] ?? point.at,
    count: point.count,
    category: options.category,
  }));
  return renderBarChart(bars, options);
}

const SPARKS = '▁▂▃▄▅▆▇█';
const ZERO = '·';
/** An hour the day does not have (the DST spring-forward hour, before or after the range). */
const ABSENT = ' ';
const HOURS = 24;
const AXIS = '0     6     12    18    ';

interface DayOfHours {
  day: string;
  hours: (number | undefined)[];
  total: number;
}

/**
 * One line per day: the day, 24 characters, one per hour of the wall clock (`·` none, ▁ to █
 * scaled to the busiest hour of the chart, blank when the day has no such hour), and the day's
 * total. A DST fall-back hour that occurs twice is counted in its one slot. `at` is the hour's
 * start as the stats API writes it (`2026-12-01T14:00+01:00`): the wall clock is read from the
 * text, so the chart shows the zone the server was asked for.
 */
export function renderHourSparklines(points: readonly TimePoint[], options: TimeChartOptions): string[] {
  const days = hoursByDay(points);
  if (days.length === 0) return [];
  const width = chartWidthOf(options);
  const style =
    options.category === undefined
      ? (text: string) => text
      : chartPalette(options).category(options.category);
  const totals = days.map((day) => formatCount(day.total));
  const countWidth = Math.max(...totals.map((total) => total.length));
  const labelWidth = Math.max(...days.map((day) => displayLabel(day.day).length));
  // Two spaces between columns when they fit, one when not, and the year dropped last of all.
  const layout = [
    { gap: '  ', short: false },
    { gap: ' ', short: false },
    { gap: ' ', short: true },
  ].find(({ gap, short }) => (short ? 5 : labelWidth) + gap.length * 2 + HOURS + countWidth <= width) ?? {
    gap: ' ',
    short: true,
  };
  const label = (day: string) => (layout.short ? day.slice(5) : day);
  const cellWidth = Math.max(...days.map((day) => label(displayLabel(day.day)).length));
  const max = Math.max(0, ...days.flatMap((day) => day.hours.map((count) => count ?? 0)));
  const axis = `${' '.repeat(cellWidth)}${layout.gap}${AXIS.trimEnd()}`;
  return [
    axis,
    ...days.map((day, index) => {
      const spark = day.hours.map((count) => sparkFor(count, max)).join('');
      const name = label(displayLabel(day.day)).padEnd(cellWidth);
      return `${name}${layout.gap}${style(spark)}${layout.gap}${alignRight(totals[index] as string, countWidth)}`;
    }),
  ];
}

function sparkFor(count: number | undefined, max: number): string {
  if (count === undefined) return ABSENT;
  if (count <= 0 || max <= 0) return ZERO;
  return SPARKS[Math.min(SPARKS.length, Math.ceil((count / max) * SPARKS.length)) - 1] as string;
}

function hoursByDay(points: readonly TimePoint[]): DayOfHours[] {
  const days = new Map<string, DayOfHours>();
  for (const point of points) {
    const match = DAY_AND_HOUR.exec(point.at);
    if (!match) continue;
    const [, day, hourText] = match as unknown as [string, string, string];
    const hour = Number(hourText);
    if (hour >= HOURS) continue;
    let entry = days.get(day);
    if (!entry) {
      entry = { day, hours: Array.from({ length: HOURS }, () => undefined), total: 0 };
      days.set(day, entry);
    }
    entry.hours[hour] = (entry.hours[hour] ?? 0) + point.count;
    entry.total += point.count;
  }
  return [...days.values()];
}

/**
 * Many days in a few lines (a finding's 30-day baseline): one character a day, ▁ to █ scaled to
 * the busiest day, `·` for none, each line led by its first day; then the busiest day and its
 * count, so the peak is read as a number, not only as a block.
 */
export function renderDayStrip(points: readonly TimePoint[], options: TimeChartOptions): string[] {
  if (points.length === 0) return [];
  const style =
    options.category === undefined
      ? (text: string) => text
      : chartPalette(options).category(options.category);
  const days = points.map((point) => ({
    day: displayLabel(DAY.exec(point.at)?.[1] ?? point.at),
    count: point.count,
  }));
  const labelWidth = Math.max(...days.map((day) => day.day.length));
  const perLine = Math.max(7, chartWidthOf(options) - labelWidth - 2);
  const max = Math.max(0, ...days.map((day) => day.count));
  const lines: string[] = [];
  for (let start = 0; start < days.length; start += perLine) {
    const run = days.slice(start, start + perLine);
    const sparks = run.map((day) => sparkFor(day.count, max)).join('');
    lines.push(`${(run[0]?.day ?? '').padEnd(labelWidth)}  ${style(sparks)}`);
  }
  const peak = days.reduce((best, day) => (day.count > best.count ? day : best));
  const last = days[days.length - 1]?.day ?? '';
  const footer = `to ${last}; busiest ${peak.day}: ${formatCount(peak.count)}`;
  const indented = `${' '.repeat(labelWidth)}  ${footer}`;
  lines.push(indented.length <= chartWidthOf(options) ? indented : footer);
  return lines;
}
