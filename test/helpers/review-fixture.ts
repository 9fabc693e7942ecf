import type { EventInput } from '../../src/domain/event.js';
import type { Finding, ReviewResult } from '../../src/domain/review.js';
import type { Fixture } from './server-fixture.js';

/** A quiet Monday noon (UTC) that review tests build their events around. */
export const T0 = Date.UTC(2025, 5, 2, 12);
export const MINUTE = 60_000;
export const HOUR = 60 * MINUTE;
export const DAY = 24 * HOUR;

/** An event at `T0 + offsetMs` by `email` from `ip`. */
export function event(
  action: string,
  offsetMs: number,
  who: { email?: string; ip?: string; id?: string } = {},
  rest: Partial<EventInput> = {},
): EventInput {
  return {
    action,
    timestamp: new Date(T0 + offsetMs).toISOString(),
    actor: { email: who.email ?? 'bob@example.com', ...(who.id ? { id: who.id } : {}), type: 'user' },
    context: { ip_address: who.ip ?? '203.0.113.10' },
    ...rest,
  };
}

/** Ingests events in batches of 1000. */
export async function ingestAll(fixture: Fixture, events: EventInput[]): Promise<void> {
  for (let start = 0; start < events.length; start += 1000)
    await fixture.ingest(events.slice(start, start + 1000));
}

/** The review of [T0 + fromMs, T0 + toMs) (or of `query` as given), answered 200. */
export async function reviewOf(
  fixture: Fixture,
  range: { fromMs?: number; toMs?: number; query?: string } = {},
): Promise<ReviewResult> {
  const query =
    range.query ??
    `from=${new Date(T0 + (range.fromMs ?? -DAY)).toISOString()}&to=${new Date(T0 + (range.toMs ?? 2 * DAY)).toISOString()}`;
  const response = await fixture.request({
    method: 'GET',
    url: `/api/v1/organizations/default/audit-logs/review?${query}`,
  });
  if (response.statusCode !== 200)
    throw new Error(`review answered ${response.statusCode}: ${response.body}`);
  return response.json().data as ReviewResult;
}

export const ofRule = (review: ReviewResult, rule: Finding['rule']) =>
  review.findings.filter((finding) => finding.rule === rule);
