import { describe, expect, it } from 'vitest';
import { parseDimensions } from '../../src/cli/commands/stats.js';
import { textWidth } from '../../src/cli/output/text-width.js';
import { statsChartLines } from '../../src/cli/stats/chart.js';
import { hourLabel, keyLabel } from '../../src/cli/stats/labels.js';
import { statsFormat, statsRequest } from '../../src/cli/stats/request.js';
import { statsTable, statsText } from '../../src/cli/stats/rows.js';
import type { StatsData } from '../../src/client/types.js';

const NOW = Date.parse('2026-12-06T10:00:00Z');
const context = { zone: 'Europe/Berlin', now: NOW };

const byCategory: StatsData = {
  group_by: ['category'],
  time_zone: 'Europe/Berlin',
  from: '2026-11-06T10:00:00.000Z',
  to: '2026-12-06T10:00:00.000Z',
  total: 879,
  top: 10,
  groups: [
    { category: 'auth', count: 319 },
    { category: 'tunnel', count: 234 },
    { category: 'review', count: 221 },
    { category: 'billing', count: 105 },
  ],
};

describe('audit stats flags', () => {
  it('--by takes a comma list or repeats, one or two dimensions, at most one of day and hour', () => {
    expect(parseDimensions('ip, Action', undefined)).toEqual(['ip', 'action']);
    expect(parseDimensions('day', ['category'])).toEqual(['category', 'day']);
    expect(() => parseDimensions('country', undefined)).toThrow(/--by: "country" is not a dimension; choose/);
    expect(() => parseDimensions('ip,action,actor', undefined)).toThrow(/at most two dimensions/);
    expect(() => parseDimensions('day,hour', undefined)).toThrow(/day and hour cannot be combined/);
  });

  it('asks for category, the last 30 days, the top 10 and the display zone by default', () => {
    const request = statsRequest({}, context);
    expect(request.params).toEqual({ group_by: ['category'], since: '30d', top: 10, tz: 'Europe/Berlin' });
    expect(request.defaultRange).toBe(true);
  });

  it('sends no top for a time dimension alone, and refuses --top there', () => {
    expect(statsRequest({ by: ['day'] }, context).params.top).toBeUndefined();
    expect(statsRequest({ by: ['day', 'ip'], top: 3 }, context).params.top).toBe(3);
    expect(() => statsRequest({ by: ['hour'], top: 5 }, context)).toThrow(/--top ranks the groups/);
  });

  it('passes the list filters; --to alone means the 30 days before it', () => {
    const request = statsRequest(
      { by: ['day'], category: ['auth'], action: ['user.login_failed'], to: '2026-11-30' },
      context,
    );
    expect(request.params).toMatchObject({
      category: ['auth'],
      action: ['user.login_failed'],
      to: '2026-11-30T22:59:59.999Z',
      from: '2026-10-31T23:00:00.000Z',
    });
    expect(request.params.since).toBeUndefined();
    expect(statsRequest({ since: '7d' }, context).defaultRange).toBe(false);
  });

  it('-o: a chart on a terminal, TSV in a pipe, table meaning the chart, anything else a usage error', () => {
    expect(statsFormat(undefined, true)).toBe('chart');
    expect(statsFormat(undefined, false)).toBe('tsv');
    expect(statsFormat('table', false)).toBe('chart');
    expect(statsFormat('csv', true)).toBe('csv');
    expect(() => statsFormat('yaml', true)).toThrow(/--output must be one of chart, tsv, json, ndjson, csv/);
  });
});

describe('audit stats on a terminal', () => {
  const request = statsRequest({}, context);

  it('titles the chart with the dimensions, the default range and the zone, then bars, then the total', () => {
    expect(statsChartLines(byCategory, request, { width: 80, color: false, zone: 'UTC' })).toEqual([
      'Events by category · last 30 days (default)',
      '2026-11-06 → 2026-12-06 (Europe/Berlin)',
      '',
      `auth     ${'█'.repeat(58)}  319   36.3%`,
      `tunnel   ${'█'.repeat(42)}▌                 234   26.6%`,
      `review   ${'█'.repeat(40)}▏                   221   25.1%`,
      `billing  ${'█'.repeat(19)}▏                                        105   11.9%`,
      '',
      '879 events',
    ]);
  });

  it('wraps the title at 40 columns and keeps every line within them; no escape codes without colour', () => {
    const lines = statsChartLines(byCategory, request, { width: 40, color: false, zone: 'UTC' });
    expect(lines.slice(0, 3)).toEqual([
      'Events by category',
      'last 30 days (default)',
      '2026-11-06 → 2026-12-06 (Europe/Berlin)',
    ]);
    expect(Math.max(...lines.map(textWidth))).toBeLessThanOrEqual(40);
    expect(lines.join('')).not.toContain('\u001b');
    const coloured = statsChartLines(byCategory, request, { width: 40, color: true, zone: 'UTC' });
    expect(coloured.join('')).toContain('\u001b[34m');
    // biome-ignore lint/suspicious/noControlCharactersInRegex: removing escape codes
    expect(coloured.map((line) => line.replace(/\u001b\[[0-9;]*m/g, ''))).toEqual(lines);
  });

  it('draws a line per day, empty days as 0, and one per day of hour sparklines', () => {
    const days: StatsData = {
      ...byCategory,
      group_by: ['day'],
      total: 3,
      top: null,
      groups: [
        { day: '2026-12-04', count: 3 },
        { day: '2026-12-05', count: 0 },
      ],
    };
    const dayRequest = statsRequest({ by: ['day'], since: '2d' }, context);
    expect(statsChartLines(days, dayRequest, { width: 40, color: false, zone: 'UTC' }).slice(3)).toEqual([
      `2026-12-04  ${'█'.repeat(25)}  3`,
      '2026-12-05                             0',
      '',
      '3 events',
    ]);
    const hours: StatsData = {
      ...days,
      group_by: ['hour'],
      from: '2026-12-05T22:00:00.000Z',
      to: '2026-12-06T00:00:00.000Z',
      groups: [
        { hour: '2026-12-05T23:00+01:00', count: 1 },
        { hour: '2026-12-06T00:00+01:00', count: 2 },
      ],
    };
    const hourRequest = statsRequest({ by: ['hour'], since: '2h' }, context);
    expect(statsChartLines(hours, hourRequest, { width: 80, color: false, zone: 'UTC' })).toEqual([
      'Events by hour · last 2 hours',
      '2026-12-05 23:00 → 2026-12-06 01:00 (Europe/Berlin)',
      '',
      '            0     6     12    18',
      '2026-12-05                         ▄  1',
      '2026-12-06  █                         2',
      '',
      '3 events',
    ]);
  });

  it('stacks a dimension per day with a legend; the top left-out groups show as (other), last', () => {
    const data: StatsData = {
      ...byCategory,
      group_by: ['day', 'actor'],
      total: 10,
      top: 1,
      groups: [
        { day: '2026-12-05', actor: 'alice@example.com', count: 4 },
        { day: '2026-12-05', actor: null, other: true, count: 2 },
        { day: '2026-12-06', actor: null, count: 0 },
        { day: '2026-12-07', actor: 'alice@example.com', count: 1 },
        { day: '2026-12-07', actor: null, other: true, count: 3 },
      ],
    };
    const lines = statsChartLines(data, statsRequest({ by: ['day', 'actor'], top: 1 }, context), {
      width: 40,
      color: false,
      zone: 'UTC',
    });
    expect(lines.slice(3)).toEqual([
      '',
      `2026-12-05  ${'█'.repeat(17)}${'▓'.repeat(8)}  6`,
      '2026-12-06                             0',
      `2026-12-07  ${'█'.repeat(4)}${'▓'.repeat(13)}          4`,
      '',
      '█ alice@example.c… 5   ▓ (other) 5',
      '',
      '10 events; (other) sums all but the top 1',
    ]);
  });

  it('a key that reads "(other)" or "(none)" is quoted, so it cannot pass for the rest (spoofed label)', () => {
    expect(keyLabel({ actor: '(other)', count: 1 }, 'actor')).toBe('"(other)"');
    expect(keyLabel({ actor: null, other: true, count: 1 }, 'actor')).toBe('(other)');
    expect(keyLabel({ actor: null, count: 1 }, 'actor')).toBe('(none)');
    expect(keyLabel({ actor: 'x\u001b]8;;http://evil\u0007y', count: 1 }, 'actor')).toBe('xy');
  });

  it('names an hour by its wall clock, with the offset when the DST hour occurs twice', () => {
    expect(hourLabel('2026-10-25T02:00+02:00', false)).toBe('2026-10-25 02:00');
    expect(hourLabel('2026-10-25T02:00+01:00', true)).toBe('2026-10-25 02:00 +01:00');
  });

  it('says so when nothing matched', () => {
    const empty = { ...byCategory, total: 0, groups: [] };
    expect(statsChartLines(empty, request, { width: 80, color: false, zone: 'UTC' }).slice(2)).toEqual([
      '',
      'No events in this range.',
    ]);
  });
});

describe('audit stats for programs', () => {
  const hostile: StatsData = {
    ...byCategory,
    group_by: ['actor'],
    total: 4,
    groups: [
      { actor: '=HYPERLINK("http://evil","x")', count: 2 },
      { actor: 'tab\there\nnewline', count: 1 },
      { actor: null, other: true, count: 1 },
    ],
  };

  it('TSV: header, then dimensions, count and percent; a tab or newline in a key cannot break the columns', () => {
    expect(statsText(hostile, ['actor'], 'tsv', false)).toBe(
      [
        'actor\tcount\tpercent',
        '=HYPERLINK("http://evil","x")\t2\t50.0',
        'tab here newline\t1\t25.0',
        '(other)\t1\t25.0',
        '',
      ].join('\n'),
    );
  });

  it('CSV defuses a formula an attacker put in a key (CSV injection) and quotes as RFC 4180 needs', () => {
    expect(statsText(hostile, ['actor'], 'csv', false)).toBe(
      [
        'actor,count,percent',
        `"'=HYPERLINK(""http://evil"",""x"")",2,50.0`,
        '"tab\there\nnewline",1,25.0',
        '(other),1,25.0',
        '',
      ].join('\n'),
    );
  });

  it('spoofing: a key an attacker spelled "(other)" is not the synthesized other row in TSV and CSV', () => {
    const spoof: StatsData = {
      ...hostile,
      total: 3,
      groups: [
        { actor: '(other)', count: 2 },
        { actor: null, other: true, count: 1 },
      ],
    };
    const [, spelled, synthesized] = statsTable(spoof, ['actor']);
    expect(synthesized?.[0]).toBe('(other)');
    expect(spelled?.[0]).not.toBe('(other)');
    expect(statsText(spoof, ['actor'], 'tsv', false).split('\n')[1]).toBe('"(other)"\t2\t66.7');
  });

  it('JSON is the answer’s data; NDJSON one group per line; both escape control characters', () => {
    expect(JSON.parse(statsText(hostile, ['actor'], 'json', false))).toEqual(hostile);
    const lines = statsText(hostile, ['actor'], 'ndjson', false).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(hostile.groups);
    expect(statsTable(hostile, ['actor'])[0]).toEqual(['actor', 'count', 'percent']);
  });
});
