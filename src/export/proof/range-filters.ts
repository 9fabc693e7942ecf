/**
 * What of an export's filters a check can apply offline to the leaves between its rows: the
 * time range and the categories (each leaf carries its time and category). A leaf that matches
 * them but is not in the file is an event missing from it — unless the export had other filters
 * (actor, action, search…), which only the server could apply to the event's content.
 */
import { showsCheckpointRecords } from '../../domain/checkpoint-record.js';
import type { ProofFilters } from '../../domain/merkle/export-proof.js';
import { parseFromBound, parseToBoundExclusive } from '../../domain/time.js';

/** Parameters that say how the list was read, not which events it holds. */
const NOT_FILTERS = new Set(['order', 'per_page', 'tree_size', 'received_before', 'cursor', 'page']);
const OFFLINE = new Set(['from', 'to', 'category', 'detailed']);

export interface RangeMatcher {
  /** Whether an event of this time and category belongs to the export by the offline filters. */
  matches(timestamp: string, category: string): boolean;
  /** Filters a check cannot apply offline, by name. */
  unchecked: string[];
  /** Whether the export holds checkpoint records (lists show them when detailed or named). */
  showsCheckpointRecords: boolean;
}

export function rangeMatcher(filters: ProofFilters): RangeMatcher {
  const from = filters.from === undefined ? undefined : bound(() => parseFromBound(String(filters.from)));
  const to = filters.to === undefined ? undefined : bound(() => parseToBoundExclusive(String(filters.to)));
  const categories = listOf(filters.category);
  const detailed = filters.detailed === 'true';
  const unchecked = Object.keys(filters).filter(
    (name) => !NOT_FILTERS.has(name) && !OFFLINE.has(name) && listOf(filters[name]).length > 0,
  );
  return {
    unchecked,
    showsCheckpointRecords: showsCheckpointRecords({ detailed, actions: listOf(filters.action) }),
    matches(timestamp, category) {
      const time = Date.parse(timestamp);
      if (from !== undefined && !(time >= from)) return false;
      if (to !== undefined && !(time < to)) return false;
      if (categories.length > 0) return categories.includes(category);
      // Page views and API calls stay out of a list unless asked for (as the server's query does).
      return detailed || category !== 'access';
    },
  };
}

function listOf(value: string | string[] | undefined): string[] {
  if (value === undefined) return [];
  return (Array.isArray(value) ? value : value.split(',')).filter((item) => item !== '');
}

function bound(parse: () => number): number | undefined {
  try {
    return parse();
  } catch {
    return undefined;
  }
}
