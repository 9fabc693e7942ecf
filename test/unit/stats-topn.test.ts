import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { EventInput } from '../../src/domain/event.js';
import type { StatsDimension, StatsGroup } from '../../src/domain/stats.js';
import { MAX_STATS_GROUPS } from '../../src/domain/stats.js';
import { timeBuckets } from '../../src/domain/stats-buckets.js';
import { zoneSegments } from '../../src/domain/zone-segments.js';
import { openDatabase } from '../../src/store/database.js';
import { buildEventWhere } from '../../src/store/event-query.js';
import { bucketSql, KEY_SQL, type KeyDimension } from '../../src/store/stats-sql.js';
import { createStatsStore } from '../../src/store/stats-store.js';
import { createStores } from '../../src/store/stores.js';

const DAY = 86_400_000;
const FROM = Date.parse('2024-02-01T00:00:00Z');
const TO = FROM + 3 * DAY;
const NOW = Date.parse('2024-03-01T00:00:00Z');
const ORGANIZATION = { kind: 'organization' } as const;

function setup() {
  const db = openDatabase(':memory:');
  const stores = createStores(db, () => NOW);
  const org = stores.directory.ensureOrganization('default').organization.id;
  return { db, org, record: (events: EventInput[]) => stores.recorder.record(org, events) };
}

/**
 * The answer as the store gave it before ranking moved into SQL: every group of the events in
 * JavaScript, ranked by count, then key by key in code point order, null last.
 */
function oracle(
  db: ReturnType<typeof openDatabase>,
  org: number,
  dimensions: StatsDimension[],
  top: number | undefined,
): { groups: StatsGroup[]; total: number; top: number | null } {
  const where = buildEventWhere(org, { from: FROM, toExclusive: TO }, ORGANIZATION);
  const params: Record<string, unknown> = { ...where.params };
  const unit = dimensions.includes('day') ? 'day' : null;
  const segments = zoneSegments('UTC', FROM, TO);
  const keys = dimensions.filter((d) => d !== 'day') as KeyDimension[];
  const columns = [
    unit ? bucketSql(unit, segments, 'ts', params) : 'NULL',
    ...keys.map((key) => KEY_SQL[key]),
  ];
  const rows = db
    .prepare(
      `SELECT ${columns.join(', ')}, count(*) FROM events WHERE ${where.clauses.join(' AND ')} GROUP BY ${columns.map((_c, i) => i + 1).join(', ')}`,
    )
    .raw(true)
    .all(params) as unknown[][];
  const series = new Map<
    string,
    { keys: (string | null)[]; total: number; byBucket: Map<number | null, number> }
  >();
  let total = 0;
  for (const row of rows) {
    const bucket = row[0] === null ? null : Number(row[0]);
    const rowKeys = row.slice(1, -1) as (string | null)[];
    const count = Number(row.at(-1));
    const id = JSON.stringify(rowKeys);
    const entry = series.get(id) ?? { keys: rowKeys, total: 0, byBucket: new Map() };
    series.set(id, entry);
    entry.total += count;
    entry.byBucket.set(bucket, count);
    total += count;
  }
  const codePoints = (s: string) => [...s].map((c) => c.codePointAt(0) as number);
  const compareText = (a: string, b: string) => {
    const x = codePoints(a);
    const y = codePoints(b);
    for (let i = 0; i < Math.min(x.length, y.length); i++)
      if (x[i] !== y[i]) return (x[i] as number) - (y[i] as number);
    return x.length - y.length;
  };
  const compareKeys = (a: (string | null)[], b: (string | null)[]) => {
    for (let i = 0; i < a.length; i++) {
      const x = a[i] ?? null;
      const y = b[i] ?? null;
      if (x === y) continue;
      if (x === null) return 1;
      if (y === null) return -1;
      return compareText(x, y);
    }
    return 0;
  };
  const ranked = [...series.values()].sort((a, b) => b.total - a.total || compareKeys(a.keys, b.keys));
  const kept = ranked.slice(0, top ?? MAX_STATS_GROUPS);
  const rest = ranked.slice(top ?? MAX_STATS_GROUPS);
  const make = (label: string | null, k: (string | null)[] | null, count: number, other?: true) => {
    const group: Record<string, unknown> = {};
    let index = 0;
    for (const d of dimensions) group[d] = d === 'day' ? label : k ? (k[index++] ?? null) : null;
    group.count = count;
    if (other) group.other = true;
    return group as unknown as StatsGroup;
  };
  const answerTop = top ?? (rest.length ? MAX_STATS_GROUPS : null);
  const restSum = (bucket: number | null | undefined) =>
    rest.reduce((sum, e) => sum + (bucket === undefined ? e.total : (e.byBucket.get(bucket) ?? 0)), 0);
  if (!unit) {
    const groups = kept.map((e) => make(null, e.keys, e.total));
    if (rest.length) groups.push(make(null, null, restSum(undefined), true));
    return { groups, total, top: answerTop };
  }
  const groups: StatsGroup[] = [];
  for (const bucket of timeBuckets(unit, segments, TO)) {
    const before = groups.length;
    for (const e of kept) {
      const count = e.byBucket.get(bucket.key);
      if (count) groups.push(make(bucket.label, e.keys, count));
    }
    const other = restSum(bucket.key);
    if (other) groups.push(make(bucket.label, null, other, true));
    if (groups.length === before) groups.push(make(bucket.label, null, 0));
  }
  return { groups, total, top: answerTop };
}

/** Texts whose order differs by case (the NOCASE columns), by UTF-16 against code points, by null. */
const TEXT = fc.constantFrom(
  undefined,
  'a',
  'A',
  'b',
  'B',
  'ab',
  'aB',
  'é',
  'É',
  '\ue000',
  '\uffff',
  '😀',
  'a😀',
  'a\ue000',
  '\u0000',
);

const event = fc.record({
  at: fc.integer({ min: FROM, max: TO - 1 }),
  actor: TEXT,
  ip: TEXT,
  team: TEXT,
  target: TEXT,
  action: fc.constantFrom('user.login', 'user.Login', 'tunnel.created', 'billing.x'),
});

const dimensions = fc.constantFrom<StatsDimension[]>(
  ['actor'],
  ['ip'],
  ['team'],
  ['target'],
  ['action'],
  ['category'],
  ['day', 'actor'],
  ['team', 'day'],
  ['actor', 'ip'],
  ['target', 'team'],
  ['action', 'actor'],
);

describe('stats rank in SQL exactly as the answer ranked them in JavaScript', () => {
  it('same groups, order, ties (case, code points, null last) and other rows', () => {
    fc.assert(
      fc.property(
        fc.array(event, { minLength: 0, maxLength: 120 }),
        fc.array(
          fc.record({ dimensions, top: fc.option(fc.integer({ min: 1, max: 6 }), { nil: undefined }) }),
          {
            minLength: 1,
            maxLength: 5,
          },
        ),
        (events, queries) => {
          const { db, org, record } = setup();
          try {
            record(
              events.map((e) => ({
                action: e.action,
                timestamp: new Date(e.at).toISOString(),
                actor: e.actor === undefined ? undefined : { name: e.actor },
                target: { type: 'document', ...(e.target === undefined ? {} : { name: e.target }) },
                context: {
                  ...(e.ip === undefined ? {} : { ip_address: e.ip }),
                  ...(e.team === undefined ? {} : { team_name: e.team }),
                },
              })) as EventInput[],
            );
            const stats = createStatsStore(db);
            for (const { dimensions, top } of queries) {
              const answer = stats.stats(org, { from: FROM, toExclusive: TO }, ORGANIZATION, {
                dimensions,
                timeZone: 'UTC',
                top,
                now: NOW,
                forceScan: true,
              });
              const expected = oracle(db, org, dimensions, top);
              expect({ groups: answer.groups, total: answer.total, top: answer.top }).toEqual(expected);
            }
          } finally {
            db.close();
          }
        },
      ),
      { numRuns: 150 },
    );
  });
});

describe('memory DoS: every key is text a sender chose', () => {
  // 30 times the most groups an answer holds: what is held is counted (onRows), not guessed from
  // the heap, so more keys would prove nothing more.
  const N = 30_000;
  /** Each event's own millisecond, spread over the three days. */
  const spread = (i: number) => new Date(FROM + Math.floor((i * 3 * DAY) / N)).toISOString();
  const distinct = (i: number) => `10.${(i >> 16) & 255}.${(i >> 8) & 255}.${i & 255}`;

  function probe(db: ReturnType<typeof openDatabase>) {
    const held: number[] = [];
    const stats = createStatsStore(db, { onRows: (rows) => held.push(rows) });
    return { stats, most: () => Math.max(0, ...held), held };
  }

  function fill(record: (events: EventInput[]) => void, make: (i: number) => EventInput) {
    for (let start = 0; start < N; start += 10_000)
      record(Array.from({ length: Math.min(10_000, N - start) }, (_x, j) => make(start + j)));
  }

  it('30,000 distinct IPs grouped by ip hold at most top+1 groups in memory', () => {
    const { db, org, record } = setup();
    try {
      fill(record, (i) => ({
        action: 'user.login',
        timestamp: spread(i),
        context: { ip_address: distinct(i) },
      }));
      const filter = { from: FROM, toExclusive: TO };

      const byIp = probe(db);
      const answer = byIp.stats.stats(org, filter, ORGANIZATION, {
        dimensions: ['ip'],
        timeZone: 'UTC',
        now: NOW,
      });
      expect(answer.total).toBe(N);
      expect(answer.top).toBe(MAX_STATS_GROUPS);
      expect(answer.groups).toHaveLength(MAX_STATS_GROUPS + 1);
      expect(answer.groups.at(-1)).toEqual({ ip: null, count: N - MAX_STATS_GROUPS, other: true });
      // Ties by key ascending: every IP counts 1, so the first are the lowest texts.
      expect(answer.groups[0]).toEqual({ ip: '10.0.0.0', count: 1 });
      expect(byIp.most()).toBeLessThanOrEqual(MAX_STATS_GROUPS + 1);

      const byDayAndIp = probe(db);
      const top = 5;
      const daily = byDayAndIp.stats.stats(org, filter, ORGANIZATION, {
        dimensions: ['day', 'ip'],
        timeZone: 'UTC',
        top,
        now: NOW,
      });
      expect(daily.total).toBe(N);
      expect(daily.groups.filter((group) => !group.other)).toHaveLength(top);
      expect(daily.groups.reduce((sum, group) => sum + group.count, 0)).toBe(N);
      // Three days: at most top counts per day, and one total per day.
      expect(byDayAndIp.most()).toBeLessThanOrEqual(3 * top + 3);
    } finally {
      db.close();
    }
  }, 120_000);

  it('30,000 distinct actions grouped by action from event_counts hold at most top+1 groups in memory', () => {
    const { db, org, record } = setup();
    try {
      fill(record, (i) => ({
        action: `user.${distinct(i)}`,
        timestamp: spread(i),
      }));
      const { stats, most } = probe(db);
      const answer = stats.stats(
        org,
        // Ragged ends: the rollup's whole hours and the events either side, ranked together.
        { from: FROM + 1234, toExclusive: TO - 1234 },
        ORGANIZATION,
        { dimensions: ['action', 'day'], timeZone: 'UTC', top: 3, now: NOW },
      );
      expect(answer.groups.filter((group) => !group.other)).toHaveLength(3);
      // Event 0 is at FROM, before the ragged start: the lowest key left is event 1's.
      expect(answer.groups[0]).toEqual({ action: 'user.10.0.0.1', day: '2024-02-01', count: 1 });
      expect(most()).toBeLessThanOrEqual(3 * 3 + 3);
    } finally {
      db.close();
    }
  }, 120_000);
});
