/**
 * `audit stats` flags as the stats endpoint's query: the dimensions of `--by`, the `--top` that
 * applies to them, the list filters, and the 30 days asked for when no start is given.
 */
import type { StatsParams } from '../../client/types.js';
import { isTimeDimension, type StatsDimension } from '../../domain/stats.js';
import type { DateContext } from '../dates.js';
import { UsageError } from '../errors.js';
import { type FilterOptions, filtersToParams } from '../filter-options.js';

export interface StatsOptions extends FilterOptions {
  by?: StatsDimension[];
  top?: number;
}

/** What was asked, and how the title should tell the range. */
export interface StatsRequest {
  params: StatsParams;
  dimensions: StatsDimension[];
  /** `--since` as given (or defaulted); undefined when the range came from --from/--to. */
  since: string | undefined;
  /** True when neither --from nor --since was given, so the range is the default's. */
  defaultRange: boolean;
}

export const DEFAULT_DIMENSIONS: readonly StatsDimension[] = ['category'];
export const DEFAULT_SINCE = '30d';
/** Also in `audit stats --help`. */
export const DEFAULT_TOP = 10;
const DEFAULT_RANGE_MS = 30 * 86_400_000;

export function statsRequest(options: StatsOptions, context: DateContext & { zone: string }): StatsRequest {
  const dimensions = options.by ?? [...DEFAULT_DIMENSIONS];
  const ranked = dimensions.some((dimension) => !isTimeDimension(dimension));
  if (options.top !== undefined && !ranked) {
    throw new UsageError(
      `--top ranks the groups of a dimension such as category or ip; --by ${dimensions.join(',')} has none to rank`,
    );
  }
  const filters = filtersToParams(options, context);
  const defaultRange = filters.from === undefined && filters.since === undefined;
  if (defaultRange) {
    // 30 days, ending at --to when it is given, else now.
    if (filters.to === undefined) filters.since = DEFAULT_SINCE;
    else filters.from = new Date(Date.parse(filters.to) + 1 - DEFAULT_RANGE_MS).toISOString();
  }
  const params: StatsParams = {
    ...filters,
    group_by: dimensions,
    ...(ranked ? { top: options.top ?? DEFAULT_TOP } : {}),
    tz: context.zone,
  };
  return { params, dimensions, since: filters.since, defaultRange };
}

export const STATS_FORMATS = ['chart', 'tsv', 'json', 'ndjson', 'csv'] as const;
export type StatsFormat = (typeof STATS_FORMATS)[number];

/** `-o`: a chart on a terminal, TSV when piped; `table` is the chart, as for the list commands. */
export function statsFormat(requested: string | undefined, terminal: boolean): StatsFormat {
  if (requested === undefined) return terminal ? 'chart' : 'tsv';
  if (requested === 'table') return 'chart';
  if (!(STATS_FORMATS as readonly string[]).includes(requested)) {
    throw new UsageError(`--output must be one of ${STATS_FORMATS.join(', ')}; got "${requested}"`);
  }
  return requested as StatsFormat;
}
