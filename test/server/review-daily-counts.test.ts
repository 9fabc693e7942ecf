import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { onWholeHours, zoneSegments } from '../../src/domain/zone-segments.js';
import { dailyCountsFromEvents, dailyCountsFromRollup } from '../../src/store/review-daily-counts.js';
import { DAY, event, HOUR, ingestAll, MINUTE, T0 } from '../helpers/review-fixture.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

/** Berlin's spring change (2025-03-30 01:00 UTC) and New York's autumn one (2025-11-02 06:00 UTC). */
const WEEKS = [Date.UTC(2025, 2, 27), Date.UTC(2025, 9, 30)];
const ACTIONS = ['tunnel.started', 'user.login', 'billing.credits_used', 'team.member_added'];

describe('volume_spike: daily counts from the hourly rollup equal those counted over the events', () => {
  let fixture: Fixture;
  beforeAll(async () => {
    fixture = await createFixture({ rateLimitPerMinute: 1_000_000 });
    // Uneven minutes and categories, so that a day's edge misplaced by an hour changes a count.
    const events = WEEKS.flatMap((week) =>
      Array.from({ length: 1500 }, (_, i) =>
        event(ACTIONS[(i * 7) % ACTIONS.length] as string, week - T0 + i * 7 * MINUTE + (i % 13) * 1000),
      ),
    );
    await ingestAll(fixture, events);
  });
  afterAll(async () => {
    await fixture.close();
  });

  const all = (sql: string, params: Record<string, unknown>) =>
    fixture.db.prepare(sql).raw(true).all(params) as unknown[][];

  for (const zone of ['UTC', 'Europe/Berlin', 'America/New_York', 'Asia/Tokyo']) {
    it(`${zone}: whole days and ragged ends, across a DST change`, () => {
      for (const week of WEEKS) {
        // Ends inside an hour (the rollup's ragged parts) and on whole hours.
        for (const range of [
          { from: week - 12 * MINUTE - 7, to: week + 7 * DAY + 5 * HOUR + 31 * MINUTE },
          { from: week, to: week + 7 * DAY },
          { from: week + 3 * DAY + 20 * MINUTE, to: week + 3 * DAY + 40 * MINUTE },
        ]) {
          const offsets = zoneSegments(zone, range.from, range.to);
          expect(onWholeHours(offsets)).toBe(true);
          const fromRollup = dailyCountsFromRollup(all, 1, range, offsets);
          expect(fromRollup.size).toBeGreaterThan(0);
          expect(fromRollup).toEqual(dailyCountsFromEvents(all, 1, range, offsets));
          expect([...fromRollup.keys()]).toEqual([...dailyCountsFromEvents(all, 1, range, offsets).keys()]);
        }
      }
    });
  }

  it('a zone whose offset is not whole hours is counted from the events', () => {
    const at = WEEKS[0] as number;
    expect(onWholeHours(zoneSegments('Asia/Kolkata', at, at + 7 * DAY))).toBe(false);
    expect(
      onWholeHours(zoneSegments('Australia/Lord_Howe', Date.UTC(2025, 3, 1), Date.UTC(2025, 3, 10))),
    ).toBe(false);
  });
});
