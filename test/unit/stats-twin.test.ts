import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Category } from '../../src/domain/categories.js';
import type { EventInput } from '../../src/domain/event.js';
import type { EventFilter } from '../../src/domain/filters.js';
import type { StatsDimension } from '../../src/domain/stats.js';
import { zoneSegments } from '../../src/domain/zone-segments.js';
import { openDatabase } from '../../src/store/database.js';
import { rollupAnswers } from '../../src/store/stats-rollup.js';
import { createStatsStore } from '../../src/store/stats-store.js';
import { createStores } from '../../src/store/stores.js';

const HOUR = 3_600_000;
/** Three days from shortly before each of Europe/Berlin's and America/New_York's DST changes of 2024. */
const WINDOWS = [
  Date.parse('2024-03-09T12:00:00Z'), // New York, 10 March
  Date.parse('2024-03-30T00:00:00Z'), // Berlin, 31 March
  Date.parse('2024-10-26T00:00:00Z'), // Berlin, 27 October
  Date.parse('2024-11-02T12:00:00Z'), // New York, 3 November
];
const SPAN = 3 * 24 * HOUR;
const ACTIONS = [
  'user.login',
  'user.login_failed',
  'user.logout',
  'tunnel.created',
  'tunnel.deleted',
  'access.page_viewed',
  'access.api_called',
  'billing.invoice_paid',
  'deploy.started',
  'audit.checkpoint_signed',
];
/** Zones whose offsets are whole hours (the rollup answers) and one that is not (both scan). */
const ZONES = ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo', 'Etc/GMT-3', 'Asia/Kolkata'];

const instant = fc
  .tuple(
    fc.constantFrom(...WINDOWS),
    // Often on an hour, or a millisecond either side: where the rollup's hours meet the ragged ends.
    fc.oneof(
      fc.integer({ min: 0, max: SPAN }),
      fc
        .tuple(fc.integer({ min: 0, max: 72 }), fc.constantFrom(-1, 0, 1))
        .map(([hours, ms]) => hours * HOUR + ms),
    ),
  )
  .map(([window, offset]) => window + offset);

const event = fc.record({ action: fc.constantFrom(...ACTIONS), at: instant });

const dimensions = fc.oneof(
  fc.constantFrom<StatsDimension[]>(['category'], ['action'], ['day'], ['hour']),
  fc.constantFrom<StatsDimension[]>(
    ['day', 'category'],
    ['category', 'hour'],
    ['action', 'day'],
    ['hour', 'action'],
    ['category', 'action'],
    ['action', 'category'],
  ),
);

const filter: fc.Arbitrary<EventFilter> = fc
  .record(
    {
      categories: fc.subarray<Category>(['auth', 'tunnel', 'access', 'billing'], { minLength: 1 }),
      actions: fc.subarray(ACTIONS, { minLength: 1, maxLength: 3 }),
      actionPrefixes: fc.subarray(['user.', 'tunnel.', 'access.', 'audit.'], { minLength: 1, maxLength: 2 }),
      detailed: fc.constant(true),
      from: instant,
      span: fc.integer({ min: 1, max: 2 * 24 * HOUR }),
    },
    { requiredKeys: [] },
  )
  .map(({ span, ...rest }) => {
    const filter: EventFilter = { ...rest };
    if (rest.from !== undefined && span !== undefined) filter.toExclusive = rest.from + span;
    return filter;
  });

const query = fc.record({
  dimensions,
  filter,
  zone: fc.constantFrom(...ZONES),
  top: fc.option(fc.integer({ min: 1, max: 4 }), { nil: undefined }),
});

describe('the stats twin: event_counts answers exactly what a scan of the events answers', () => {
  it('for random events (some purged), filters, dimensions, zones and ranges', () => {
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 0, maxLength: 300, size: 'large' }),
        fc.option(instant, { nil: undefined }),
        fc.array(query, { minLength: 1, maxLength: 6 }),
        (events, purgeBefore, queries) => {
          const db = openDatabase(':memory:');
          try {
            const now = Date.parse('2024-11-15T00:00:00Z');
            const stores = createStores(db, () => now);
            const org = stores.directory.ensureOrganization('default').organization.id;
            const inputs: EventInput[] = events.map(({ action, at }) => ({
              action,
              timestamp: new Date(at).toISOString(),
            }));
            for (let start = 0; start < inputs.length; start += 40)
              stores.recorder.record(org, inputs.slice(start, start + 40));
            if (purgeBefore !== undefined) stores.events.purgeBefore(org, purgeBefore);
            for (const { dimensions, filter, zone, top } of queries) {
              const usesTop = top !== undefined && dimensions.some((d) => d !== 'day' && d !== 'hour');
              const request = { dimensions, timeZone: zone, top: usesTop ? top : undefined, now };
              const scope = { kind: 'organization' } as const;
              const stats = createStatsStore(db);
              const rollup = stats.stats(org, filter, scope, request);
              const scan = stats.stats(org, filter, scope, { ...request, forceScan: true });
              expect(rollup).toEqual(scan);
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 120 },
    );
  });

  it('takes the rollup for whole-hour zones across DST changes, and not for half-hour ones', () => {
    const from = WINDOWS[1] as number;
    const to = from + SPAN;
    const scope = { kind: 'organization' } as const;
    const filter = { from, toExclusive: to, categories: ['auth' as Category] };
    for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Etc/GMT-3']) {
      expect(rollupAnswers(filter, scope, ['day', 'category'], zoneSegments(zone, from, to)), zone).toBe(
        true,
      );
    }
    expect(rollupAnswers(filter, scope, ['day'], zoneSegments('Asia/Kolkata', from, to))).toBe(false);
    expect(rollupAnswers(filter, scope, ['actor'], [])).toBe(false);
    expect(rollupAnswers({ ...filter, ip: '203.0.113.7' }, scope, ['day'], [])).toBe(false);
    expect(rollupAnswers(filter, { kind: 'self', userId: 'u', email: 'e@example.com' }, ['day'], [])).toBe(
      false,
    );
  });
});
