import type { Finding } from '../../domain/review.js';
import type { Burst } from '../bursts.js';
import { finding, hourKey, iso, plural, quoted, spanText } from '../finding.js';

/** A destructive burst: this many actions ending `.deleted` or `.removed` by one person… */
export const DESTRUCTIVE_BURST_ACTIONS = 5;
/** …within this window. */
export const DESTRUCTIVE_BURST_WINDOW_MS = 10 * 60_000;

/** Whether an action destroys something: its last word is `deleted` or `removed` (`tunnel.deleted`). */
export function isDestructive(action: string): boolean {
  return action.endsWith('.deleted') || action.endsWith('.removed');
}

/** destructive_burst (medium): one finding per person and burst. */
export function destructiveBurstRule(bursts: readonly Burst[]): Finding[] {
  return bursts.map((burst) => {
    const first = burst.rows[0];
    const who = first?.actorEmail ?? first?.actorId ?? burst.key;
    const actions = [...new Set(burst.rows.map((row) => row.action))];
    return finding({
      id: `destructive_burst:${burst.key}:${hourKey(burst.first)}`,
      rule: 'destructive_burst',
      severity: 'medium',
      summary: `${quoted(who)} deleted or removed ${plural(burst.rows.length, 'thing')} within ${spanText(burst.last - burst.first)} (${quoted(actions.slice(0, 3).join(', '))})`,
      first: burst.first,
      last: burst.last,
      counts: { destructive: burst.rows.length, actions: actions.length },
      ids: burst.rows.map((row) => row.id),
      total: burst.rows.length,
      queries: [{ actor: who, from: iso(burst.first), to: iso(burst.last) }],
    });
  });
}
