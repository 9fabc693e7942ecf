import type { Finding } from '../domain/review.js';
import { zoneSegments } from '../domain/zone-segments.js';
import { startOfZonedDay } from '../domain/zoned-time.js';
import { groupBursts } from './bursts.js';
import { dayText, localDay } from './day-chart.js';
import { MAX_FINDING_IDS, MAX_FINDINGS_PER_RULE } from './finding.js';
import {
  DESTRUCTIVE_BURST_ACTIONS,
  DESTRUCTIVE_BURST_WINDOW_MS,
  destructiveBurstRule,
  isDestructive,
} from './rules/destructive-burst.js';
import {
  UNUSUAL_HOUR_BASELINE_MS,
  UNUSUAL_HOUR_MIN_BASELINE,
  unusualHourRule,
} from './rules/unusual-hour.js';
import { findVolumeSpikes, VOLUME_BASELINE_DAYS, volumeSpikeRule } from './rules/volume-spike.js';
import type { ReviewSources } from './sources.js';

const DAY_MS = 86_400_000;

/** unusual_hour: per person, the hours of the range's activity their baseline month never had. */
export async function unusualHourFindings(sources: ReviewSources): Promise<Finding[]> {
  const { aggregates, orgId, from, to, zone, offsets } = sources;
  const baselineFrom = from - UNUSUAL_HOUR_BASELINE_MS;
  // The baseline's own offsets: a DST change inside it moves an hour of the day.
  const allOffsets = zoneSegments(zone, baselineFrom, to);
  const hours = await aggregates.unusualHours(
    orgId,
    { baselineFrom, from, to },
    allOffsets,
    UNUSUAL_HOUR_MIN_BASELINE,
  );
  const byPerson = new Map<string, typeof hours>();
  for (const hour of hours) byPerson.set(hour.user, [...(byPerson.get(hour.user) ?? []), hour]);
  const cases = [];
  for (const list of [...byPerson.values()].slice(0, MAX_FINDINGS_PER_RULE)) {
    const first = list[0] as (typeof hours)[number];
    const person = { email: first.actorEmail, id: first.actorId };
    const atHours = list.map((hour) => hour.hour);
    cases.push({
      hours: list,
      ids: await aggregates.idsAtHours(orgId, person, atHours, { from, to }, offsets, MAX_FINDING_IDS),
    });
  }
  return unusualHourRule(cases, zone, { from, to });
}

/** destructive_burst: actions ending `.deleted` or `.removed`, by one person, close together. */
export async function destructiveFindings(sources: ReviewSources): Promise<Finding[]> {
  const { queries, orgId, from, to } = sources;
  const actions = (await queries.distinctActions(orgId)).filter(isDestructive);
  if (actions.length === 0) return [];
  const rows = await queries.burstRows(
    orgId,
    actions,
    'user',
    { from, to },
    {
      windowMs: DESTRUCTIVE_BURST_WINDOW_MS,
      threshold: DESTRUCTIVE_BURST_ACTIONS,
    },
  );
  return destructiveBurstRule(groupBursts(rows, DESTRUCTIVE_BURST_WINDOW_MS)).slice(0, MAX_FINDINGS_PER_RULE);
}

/** volume_spike: each category's days in the range against its own previous month. */
export async function volumeFindings(sources: ReviewSources): Promise<Finding[]> {
  const { queries, aggregates, orgId, from, to, zone } = sources;
  const oldest = await queries.firstEventTs(orgId);
  if (oldest === null) return [];
  const baselineFrom = from - (VOLUME_BASELINE_DAYS + 1) * DAY_MS;
  const offsets = zoneSegments(zone, baselineFrom, to);
  const counts = await aggregates.dailyCategoryCounts(orgId, baselineFrom, to, offsets);
  const spikes = findVolumeSpikes(counts, {
    firstDay: localDay(from, offsets),
    lastDay: localDay(to - 1, offsets),
    historyFromDay: localDay(oldest, offsets),
  });
  const cases = [];
  for (const spike of spikes.slice(0, MAX_FINDINGS_PER_RULE)) {
    const day = dayText(spike.day);
    // The day's bounds in the zone, cut to the range (the first and last day may be partial).
    const dayFrom = Math.max(from, startOfZonedDay(day, zone));
    const dayTo = Math.min(to, startOfZonedDay(dayText(spike.day + 1), zone));
    cases.push({
      spike,
      ids: await aggregates.categoryIds(orgId, spike.category, dayFrom, dayTo, MAX_FINDING_IDS),
      from: dayFrom,
      to: dayTo,
    });
  }
  return volumeSpikeRule(cases);
}
