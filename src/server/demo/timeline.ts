/** When things happen: the window, working hours, and the moments the scripted stories are pinned to. */
import type { Target } from '../../domain/event.js';
import { API_STAGING, API_STAGING_RESTORED_ID, type DemoPerson, type DemoTunnel, NINA, TOM } from './cast.js';
import type { Dice } from './random.js';

export const SECOND = 1000;
export const MINUTE = 60 * SECOND;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

export interface Timeline {
  start: number;
  end: number;
  /** Incident offsets are in "minutes" that shrink when the window is too short for the real ones. */
  minute: number;
  incidentAt: number;
  responseAt: number;
  apiStagingDeletedAt: number;
  apiStagingRestoredAt: number;
  ninaInvitedAt: number;
  ninaJoinedAt: number;
  tomRemovedAt: number;
  ciTokenRotatedAt: number;
  planUpgradedAt: number;
}

function isWeekend(ms: number): boolean {
  const weekday = new Date(ms).getUTCDay();
  return weekday === 0 || weekday === 6;
}

function activityWeight(ms: number): number {
  const hour = new Date(ms).getUTCHours();
  const working = hour >= 7 && hour < 19 ? 1 : 0.06;
  return working * (isWeekend(ms) ? 0.15 : 1);
}

/** A random moment strictly inside the window, most likely on a weekday in working hours. */
export function busyMoment(dice: Dice, timeline: Timeline): number {
  let candidate = timeline.start + 1;
  for (let attempt = 0; attempt < 1000; attempt++) {
    candidate = timeline.start + 1 + Math.floor(dice.float() * (timeline.end - timeline.start - 2));
    if (dice.float() < activityWeight(candidate)) break;
  }
  return candidate;
}

/** A weekday working-hours moment near `fraction` of the window, for one-off stories. */
export function workingMoment(dice: Dice, timeline: Timeline, fraction: number): number {
  const approximate = Math.floor(timeline.start + fraction * (timeline.end - timeline.start));
  let moment = Math.floor(approximate / DAY) * DAY + (9 + dice.int(0, 8)) * HOUR + dice.int(0, 3599) * SECOND;
  while (isWeekend(moment)) moment += DAY;
  return moment > timeline.start && moment < timeline.end ? moment : approximate;
}

export function planTimeline(dice: Dice, start: number, end: number): Timeline {
  const span = end - start;
  const roomy = span >= 4 * DAY;
  const minute = roomy ? MINUTE : (MINUTE * span) / (4 * DAY);
  // The night nearest to three days ago: credential stuffing at 02:14 UTC stands out in working-hours noise.
  const incidentAt = roomy
    ? Math.floor((end - 3 * DAY + 12 * HOUR) / DAY) * DAY + 2 * HOUR + 14 * MINUTE + dice.int(0, 59) * SECOND
    : Math.floor(start + span / 2);
  const responseAt = incidentAt + 386 * minute;
  const timeline: Timeline = {
    start,
    end,
    minute,
    incidentAt,
    responseAt,
    apiStagingDeletedAt: incidentAt + 14 * minute,
    apiStagingRestoredAt: responseAt + 70 * minute,
    ninaInvitedAt: 0,
    ninaJoinedAt: 0,
    tomRemovedAt: 0,
    ciTokenRotatedAt: 0,
    planUpgradedAt: 0,
  };
  timeline.ninaInvitedAt = workingMoment(dice, timeline, 0.33);
  timeline.ninaJoinedAt = timeline.ninaInvitedAt + dice.int(25, 240) * MINUTE;
  timeline.tomRemovedAt = workingMoment(dice, timeline, 0.6);
  timeline.ciTokenRotatedAt = workingMoment(dice, timeline, 0.5);
  timeline.planUpgradedAt = workingMoment(dice, timeline, 0.7);
  return timeline;
}

/** Whether someone is on the team at that moment: Nina joins partway through, Tom leaves. */
export function isActive(person: DemoPerson, at: number, timeline: Timeline): boolean {
  if (person === NINA) return at > timeline.ninaJoinedAt;
  if (person === TOM) return at < timeline.tomRemovedAt;
  return true;
}

/** The tunnel as it exists at that moment; api-staging does not exist between its deletion and restoration. */
export function tunnelTarget(tunnel: DemoTunnel, at: number, timeline: Timeline): Target | undefined {
  if (tunnel !== API_STAGING) return { type: 'tunnel', id: tunnel.id, name: tunnel.name };
  if (at < timeline.apiStagingDeletedAt) return { type: 'tunnel', id: tunnel.id, name: tunnel.name };
  if (at > timeline.apiStagingRestoredAt)
    return { type: 'tunnel', id: API_STAGING_RESTORED_ID, name: tunnel.name };
  return undefined;
}
