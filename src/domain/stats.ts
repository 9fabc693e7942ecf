/** The dimensions `…/audit-logs/stats` groups by and `audit stats --by` names. */
export const STATS_DIMENSIONS = [
  'category',
  'action',
  'actor',
  'ip',
  'team',
  'target',
  'day',
  'hour',
] as const;
export type StatsDimension = (typeof STATS_DIMENSIONS)[number];

export const TIME_DIMENSIONS: readonly StatsDimension[] = ['day', 'hour'];

/** Groups of the non-time dimensions an answer keeps at most (`top` included); the rest are `other`. */
export const MAX_STATS_GROUPS = 1000;

export function isTimeDimension(dimension: StatsDimension): dimension is 'day' | 'hour' {
  return dimension === 'day' || dimension === 'hour';
}

/** One group of a stats answer: the keys of the dimensions grouped by, and the count. */
export interface StatsGroup {
  category?: string | null;
  action?: string | null;
  actor?: string | null;
  ip?: string | null;
  team?: string | null;
  target?: string | null;
  day?: string | null;
  hour?: string | null;
  count: number;
  other?: true;
}

export interface StatsResult {
  group_by: StatsDimension[];
  time_zone: string;
  from: string | null;
  to: string;
  total: number;
  top: number | null;
  groups: StatsGroup[];
}
