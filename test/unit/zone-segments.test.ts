import { describe, expect, it } from 'vitest';
import { timeBuckets } from '../../src/domain/stats-buckets.js';
import { zoneSegments } from '../../src/domain/zone-segments.js';

const at = (text: string) => Date.parse(text);
const HOUR = 3_600_000;

describe('zoneSegments', () => {
  it('splits a range at each offset change inside it, to the second', () => {
    expect(zoneSegments('Europe/Berlin', at('2024-01-01T00:00:00Z'), at('2025-01-01T00:00:00Z'))).toEqual([
      { start: at('2024-01-01T00:00:00Z'), offsetMs: HOUR },
      { start: at('2024-03-31T01:00:00Z'), offsetMs: 2 * HOUR },
      { start: at('2024-10-27T01:00:00Z'), offsetMs: HOUR },
    ]);
  });

  it('is one segment for UTC, a fixed zone, or a range between changes', () => {
    const from = at('2024-05-01T00:00:00Z');
    const to = at('2024-06-01T00:00:00Z');
    expect(zoneSegments('UTC', from, to)).toEqual([{ start: from, offsetMs: 0 }]);
    expect(zoneSegments('Asia/Kolkata', from, to)).toEqual([{ start: from, offsetMs: 5.5 * HOUR }]);
    expect(zoneSegments('Europe/Berlin', from, to)).toEqual([{ start: from, offsetMs: 2 * HOUR }]);
  });

  it('finds half-hour changes (Australia/Lord_Howe) across a year boundary', () => {
    const segments = zoneSegments(
      'Australia/Lord_Howe',
      at('2023-12-01T00:00:00Z'),
      at('2024-12-01T00:00:00Z'),
    );
    expect(segments.map((segment) => segment.offsetMs / 60_000)).toEqual([660, 630, 660]);
    expect(new Date(segments[1]?.start as number).toISOString()).toBe('2024-04-06T15:00:00.000Z');
  });
});

describe('timeBuckets', () => {
  it('gives Lord Howe’s hours, 30-minute change and all, in order with their offsets', () => {
    const from = at('2024-04-06T13:00:00Z');
    const to = at('2024-04-06T17:00:00Z');
    const buckets = timeBuckets('hour', zoneSegments('Australia/Lord_Howe', from, to), to);
    expect(buckets.map((bucket) => bucket.label)).toEqual([
      '2024-04-07T00:00+11:00',
      '2024-04-07T01:00+11:00',
      '2024-04-07T01:00+10:30',
      '2024-04-07T02:00+10:30',
      '2024-04-07T03:00+10:30',
    ]);
  });
});
