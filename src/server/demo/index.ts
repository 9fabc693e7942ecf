/** Realistic demo audit events: a small company's quarter, with one incident worth finding. */
import type { EventInput } from '../../domain/event.js';
import { backgroundEvents } from './activity.js';
import { incidentEvents } from './incident.js';
import { Dice } from './random.js';
import { storyEvents } from './story.js';
import { DAY, planTimeline } from './timeline.js';

export interface DemoOptions {
  now: Date;
  /** Length of the window ending at `now`; default 90. */
  days?: number;
  /** Exact number of events; default 3000. */
  count?: number;
  seed?: number;
}

/**
 * Realistic demo events over the last `days` days, oldest first, deterministic for a seed.
 * Every action is in the action catalogue; ids, categories and descriptions are left to the server.
 */
export function generateDemoEvents(options: DemoOptions): EventInput[] {
  const { now, days = 90, count = 3000, seed = 42 } = options;
  if (!Number.isFinite(now.getTime())) throw new RangeError('now must be a valid date');
  if (!(days > 0) || !Number.isFinite(days)) throw new RangeError('days must be a positive number');
  if (!Number.isSafeInteger(count) || count < 0) throw new RangeError('count must be a non-negative integer');
  const end = now.getTime();
  const start = end - days * DAY;
  const dice = new Dice(seed);
  const timeline = planTimeline(dice, start, end);
  // The incident comes first so that even a tiny demo keeps the story worth finding.
  const scripted = [...incidentEvents(dice, timeline), ...storyEvents(dice, timeline)]
    .filter(({ at }) => at > start && at < end)
    .slice(0, count);
  const events = [...scripted, ...backgroundEvents(dice, timeline, count - scripted.length)];
  return events
    .map(({ at, event }) => ({ at: Math.max(start + 1, Math.floor(at)), event }))
    .sort((a, b) => a.at - b.at)
    .map(({ at, event }) => ({ timestamp: new Date(at).toISOString(), ...event }));
}
