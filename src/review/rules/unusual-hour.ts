import type { Finding } from '../../domain/review.js';
import type { UnusualHour } from '../../store/review-aggregates.js';
import { finding, iso, plural, quoted } from '../finding.js';

/** The baseline: the 30 days before the review's range… */
export const UNUSUAL_HOUR_BASELINE_MS = 30 * 86_400_000;
/** …in which the person must have at least this many events (fewer: nothing to compare). */
export const UNUSUAL_HOUR_MIN_BASELINE = 20;

/** One person's unusual hours, with the ids of their events at those hours. */
export interface UnusualHourCase {
  hours: UnusualHour[];
  ids: string[];
}

const hourLabel = (hour: number) => `${String(hour).padStart(2, '0')}:00`;

/** unusual_hour (low): one finding per person, naming the hours (in the review's zone). */
export function unusualHourRule(
  cases: readonly UnusualHourCase[],
  zone: string,
  range: { from: number; to: number },
): Finding[] {
  return cases.flatMap(({ hours, ids }) => {
    const [first] = hours;
    if (!first) return [];
    const who = first.actorEmail ?? first.actorId ?? first.user;
    const events = hours.reduce((sum, hour) => sum + hour.events, 0);
    const labels = hours.map((hour) => hourLabel(hour.hour));
    return [
      finding({
        id: `unusual_hour:${first.user}:${hours.map((hour) => hour.hour).join(',')}`,
        rule: 'unusual_hour',
        severity: 'low',
        summary: `${quoted(who)} was active at ${labels.join(', ')} (${zone}), ${hours.length === 1 ? 'an hour' : 'hours'} they never used in the 30 days before (${plural(events, 'event')})`,
        first: Math.min(...hours.map((hour) => hour.firstTs)),
        last: Math.max(...hours.map((hour) => hour.lastTs)),
        counts: { events, hours: hours.length },
        ids,
        total: events,
        queries: [{ actor: who, from: iso(range.from), to: iso(range.to - 1) }],
      }),
    ];
  });
}
