import type { Finding } from '../../domain/review.js';
import { dayChart, dayText } from '../day-chart.js';
import { finding, plural } from '../finding.js';

/** The baseline: this many days before the day. */
export const VOLUME_BASELINE_DAYS = 30;
/** A spike is at least this many times the baseline's daily mean… */
export const VOLUME_SPIKE_RATIO = 3;
/** …and at least this many standard deviations above it… */
export const VOLUME_SPIKE_SIGMAS = 3;
/** …and at least this many events. */
export const VOLUME_SPIKE_MIN_EVENTS = 20;

/** One category's day that stands out, with what the finding needs of the store. */
export interface VolumeSpike {
  category: string;
  day: number;
  count: number;
  mean: number;
  sigma: number;
  /** The category's counts over the baseline and the day, for the chart. */
  byDay: ReadonlyMap<number, number>;
}

/**
 * Days of [firstDay, lastDay] whose count for a category passes all three bars against the
 * category's own previous VOLUME_BASELINE_DAYS days (empty days count as 0). Days whose baseline
 * starts before `historyFromDay` (the log's first day) are not judged: no history, no spike.
 */
export function findVolumeSpikes(
  counts: ReadonlyMap<string, ReadonlyMap<number, number>>,
  days: { firstDay: number; lastDay: number; historyFromDay: number },
): VolumeSpike[] {
  const spikes: VolumeSpike[] = [];
  for (const [category, byDay] of counts) {
    for (
      let day = Math.max(days.firstDay, days.historyFromDay + VOLUME_BASELINE_DAYS);
      day <= days.lastDay;
      day++
    ) {
      const count = byDay.get(day) ?? 0;
      if (count < VOLUME_SPIKE_MIN_EVENTS) continue;
      let sum = 0;
      let squares = 0;
      for (let back = 1; back <= VOLUME_BASELINE_DAYS; back++) {
        const n = byDay.get(day - back) ?? 0;
        sum += n;
        squares += n * n;
      }
      const mean = sum / VOLUME_BASELINE_DAYS;
      const sigma = Math.sqrt(Math.max(0, squares / VOLUME_BASELINE_DAYS - mean * mean));
      if (count >= VOLUME_SPIKE_RATIO * mean && count >= mean + VOLUME_SPIKE_SIGMAS * sigma)
        spikes.push({ category, day, count, mean, sigma, byDay });
    }
  }
  return spikes;
}

/** volume_spike (medium): one finding per category and day, with the month before as a chart. */
export function volumeSpikeRule(
  spikes: readonly { spike: VolumeSpike; ids: string[]; from: number; to: number }[],
): Finding[] {
  return spikes.map(({ spike, ids, from, to }) => {
    const day = dayText(spike.day);
    const times = spike.mean > 0 ? `${(spike.count / spike.mean).toFixed(1)}× ` : '';
    return finding({
      id: `volume_spike:${spike.category}:${day}`,
      rule: 'volume_spike',
      severity: 'medium',
      summary: `${plural(spike.count, `${spike.category} event`)} on ${day}, ${times}the daily mean of ${spike.mean.toFixed(1)} over the ${VOLUME_BASELINE_DAYS} days before`,
      first: from,
      last: to - 1,
      counts: { events: spike.count, mean: Math.round(spike.mean), sigma: Math.round(spike.sigma) },
      ids,
      total: spike.count,
      queries: [
        { category: spike.category, from: new Date(from).toISOString(), to: new Date(to - 1).toISOString() },
      ],
      chart: dayChart(
        `${spike.category} events by day`,
        spike.byDay,
        spike.day - VOLUME_BASELINE_DAYS,
        spike.day,
      ),
    });
  });
}
