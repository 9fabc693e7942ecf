import { describe, expect, it } from 'vitest';
import {
  chartWidth,
  formatCount,
  formatPercent,
  renderBarChart,
  renderFindingChart,
  renderHourSparklines,
  renderStackedBars,
  renderTimeBars,
} from '../../src/cli/output/charts/index.js';
import { shareCells } from '../../src/cli/output/charts/stacked-chart.js';
import { textWidth } from '../../src/cli/output/text-width.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: escape codes are what is looked for.
const ESCAPE = /\u001b\[[0-9;]*m/g;
const plain = (lines: string[]) => lines.map((line) => line.replace(ESCAPE, ''));
const widest = (lines: string[]) => Math.max(...plain(lines).map(textWidth));

const BY_CATEGORY = [
  { label: 'auth', count: 1234, category: 'auth' },
  { label: 'tunnel', count: 456, category: 'tunnel' },
  { label: 'team', count: 7, category: 'team' },
];
const TOTAL = 1697;

describe('renderBarChart', () => {
  it('draws label, bar of eighth blocks, count with separators and percentage, in 40 columns', () => {
    expect(renderBarChart(BY_CATEGORY, { width: 40, color: false, total: TOTAL })).toEqual([
      'auth    █████████████████  1,234   72.7%',
      'tunnel  ██████▎              456   26.9%',
      'team    ▏                      7    0.4%',
    ]);
  });

  it('fills 80 columns, the largest bar the whole bar column', () => {
    const lines = renderBarChart(BY_CATEGORY, { width: 80, color: false, total: TOTAL });
    expect(lines[0]).toBe(`auth    ${'█'.repeat(57)}  1,234   72.7%`);
    expect(lines.map(textWidth)).toEqual([80, 80, 80]);
  });

  it('colours each bar by its category and nothing else; without colour the same chart has no escape codes', () => {
    const coloured = renderBarChart(BY_CATEGORY, { width: 40, color: true, total: TOTAL });
    expect(coloured[0]).toBe(`auth    \u001b[34m${'█'.repeat(17)}\u001b[39m  1,234   72.7%`);
    expect(coloured[1]).toContain('\u001b[36m');
    expect(plain(coloured)).toEqual(renderBarChart(BY_CATEGORY, { width: 40, color: false, total: TOTAL }));
    expect(renderBarChart(BY_CATEGORY, { width: 40, color: false, total: TOTAL }).join('')).not.toContain(
      '\u001b',
    );
  });

  it('a single group is 100 % and a full bar', () => {
    expect(renderBarChart([{ label: 'auth', count: 3 }], { width: 40, color: false, total: 3 })).toEqual([
      `auth  ${'█'.repeat(23)}  3  100.0%`,
    ]);
  });

  it('keeps a zero group with no bar, and a tiny share says <0.1%', () => {
    const lines = renderBarChart(
      [
        { label: 'big', count: 100_000 },
        { label: 'tiny', count: 1 },
        { label: 'none', count: 0 },
      ],
      { width: 40, color: false, total: 100_001 },
    );
    expect(lines).toEqual([
      'big   █████████████████  100,000  100.0%',
      'tiny  ▏                        1   <0.1%',
      'none                           0    0.0%',
    ]);
  });

  it('measures wide CJK labels by their columns and cuts them with … in a narrow terminal', () => {
    const bars = [
      { label: '管理者アカウントの名前がとても長い', count: 10 },
      { label: 'bob', count: 5 },
    ];
    const lines = renderBarChart(bars, { width: 40, color: false, total: 15 });
    expect(lines).toEqual([
      '管理者アカウン…   ██████████  10   66.7%',
      'bob               █████        5   33.3%',
    ]);
    expect(lines.map(textWidth)).toEqual([40, 40]);
  });

  it('a label cut in the middle of a wide character is padded to keep the columns in line', () => {
    const lines = renderBarChart(
      [
        { label: 'ab管理者アカウント名前', count: 1 },
        { label: 'x', count: 1 },
      ],
      {
        width: 40,
        color: false,
      },
    );
    expect(lines.map(textWidth)).toEqual([40, 40]);
    expect(lines[0]?.startsWith('ab管理者アカウ… ')).toBe(true);
  });

  it('strips control characters and escape sequences an attacker put in a label (terminal injection)', () => {
    const lines = renderBarChart(
      [
        { label: 'evil\u001b[31mred\u0007\u001b]0;pwned\u0007', count: 2 },
        { label: '\u202eadmin\u202c', count: 1 },
        { label: '\u001b[2J', count: 1 },
      ],
      { width: 40, color: false, total: 4 },
    );
    expect(lines.join('')).not.toMatch(/\p{Cc}|\p{Cf}/u);
    expect(lines.map((line) => line.split('  ')[0])).toEqual(['evilred', 'admin', '(empty)']);
  });

  it('never draws a line wider than 40 or 80 columns, whatever the counts', () => {
    const bars = Array.from({ length: 12 }, (_, n) => ({
      label: `label-number-${n}-`.repeat(n),
      count: n * 99_999,
    }));
    for (const width of [40, 80]) {
      expect(widest(renderBarChart(bars, { width, color: true, total: 1e9 }))).toBeLessThanOrEqual(width);
    }
  });

  it('draws nothing for no bars, and no bar when every count is zero', () => {
    expect(renderBarChart([], { width: 80, color: false })).toEqual([]);
    expect(renderBarChart([{ label: 'a', count: 0 }], { width: 40, color: false, total: 0 })).toEqual([
      `a  ${' '.repeat(26)}  0    0.0%`,
    ]);
  });
});

describe('renderTimeBars', () => {
  it('one line per day, an empty day kept with a count of 0, no percentages', () => {
    const points = [
      { at: '2026-12-01', count: 5 },
      { at: '2026-12-02', count: 0 },
      { at: '2026-12-03', count: 12 },
    ];
    expect(renderTimeBars(points, { width: 40, color: false })).toEqual([
      '2026-12-01  ██████████                 5',
      '2026-12-02                             0',
      '2026-12-03  ████████████████████████  12',
    ]);
  });
});

describe('renderHourSparklines', () => {
  const hour = (day: string, h: number, offset = '+01:00') =>
    `${day}T${String(h).padStart(2, '0')}:00${offset}`;

  it('a line per day of 24 hours scaled to the busiest hour, · for none, then the day total', () => {
    const points = [
      ...Array.from({ length: 24 }, (_, h) => ({
        at: hour('2026-12-01', h),
        count: h === 9 ? 8 : h === 14 ? 2 : 0,
      })),
      ...Array.from({ length: 24 }, (_, h) => ({ at: hour('2026-12-02', h), count: h === 23 ? 1 : 0 })),
    ];
    expect(renderHourSparklines(points, { width: 80, color: false })).toEqual([
      '            0     6     12    18',
      '2026-12-01  ·········█····▂·········  10',
      '2026-12-02  ·······················▁   1',
    ]);
  });

  it('leaves an hour the range or the day does not have blank, and counts a repeated DST hour in its slot', () => {
    // Europe/Berlin, 2026-10-25: 02:00 occurs at +02:00 and again at +01:00; the range starts at 01:00.
    const points = [
      { at: '2026-10-25T01:00+02:00', count: 1 },
      { at: '2026-10-25T02:00+02:00', count: 1 },
      { at: '2026-10-25T02:00+01:00', count: 1 },
      { at: '2026-10-25T03:00+01:00', count: 0 },
    ];
    expect(renderHourSparklines(points, { width: 80, color: false })).toEqual([
      '            0     6     12    18',
      '2026-10-25   ▄█·                      3',
    ]);
  });

  it('fits 40 columns: single spaces, then the day without its year', () => {
    const points = Array.from({ length: 24 }, (_, h) => ({ at: hour('2026-12-01', h), count: 1000 + h }));
    const lines = renderHourSparklines(points, { width: 40, color: false });
    expect(lines).toEqual(['      0     6     12    18', '12-01 ████████████████████████ 24,276']);
    expect(widest(lines)).toBeLessThanOrEqual(40);
  });
});

describe('renderStackedBars', () => {
  const rows = [
    {
      label: '2026-12-01',
      parts: [
        { series: 'auth', count: 10 },
        { series: 'tunnel', count: 5 },
      ],
    },
    { label: '2026-12-02', parts: [] },
    {
      label: '2026-12-03',
      parts: [
        { series: 'auth', count: 3 },
        { series: 'tunnel', count: 20 },
      ],
    },
  ];
  const series = [
    { key: 'tunnel', label: 'tunnel', category: 'tunnel' },
    { key: 'auth', label: 'auth', category: 'auth' },
  ];

  it('stacks each series with its own glyph in legend order, then the legend with totals', () => {
    expect(renderStackedBars(rows, series, { width: 40, color: false })).toEqual([
      '2026-12-01  █████▓▓▓▓▓▓▓▓▓▓▓          15',
      '2026-12-02                             0',
      '2026-12-03  █████████████████████▓▓▓  23',
      '',
      '█ tunnel 25   ▓ auth 13',
    ]);
  });

  it('colours each series; the same chart without colour has no escape codes', () => {
    const coloured = renderStackedBars(rows, series, { width: 80, color: true });
    expect(coloured[0]).toContain('\u001b[36m█████');
    expect(coloured[0]).toContain('\u001b[34m▓');
    expect(plain(coloured)).toEqual(renderStackedBars(rows, series, { width: 80, color: false }));
    expect(widest(coloured)).toBe(80);
  });

  it('wraps the legend to the width and sanitizes its labels', () => {
    const many = Array.from({ length: 6 }, (_, n) => ({ key: `k${n}`, label: `198.51.100.${n}\u001b[1m` }));
    const lines = renderStackedBars(
      [{ label: '2026-12-01', parts: many.map((entry, n) => ({ series: entry.key, count: n + 1 })) }],
      many,
      { width: 40, color: false },
    );
    const legend = lines.slice(2);
    expect(legend.length).toBeGreaterThan(1);
    expect(legend.join('')).not.toContain('\u001b');
    expect(widest(legend)).toBeLessThanOrEqual(40);
  });

  it('shares cells by largest remainder so the parts add up to the bar', () => {
    expect(shareCells([1, 1, 1], 10)).toEqual([4, 3, 3]);
    expect(shareCells([0, 0], 5)).toEqual([0, 0]);
    expect(shareCells([3, 20], 24)).toEqual([3, 21]);
  });
});

describe('renderFindingChart', () => {
  it('draws a finding’s bars under its sanitized title, without percentages', () => {
    const chart = {
      kind: 'bars' as const,
      title: 'Failed sign-ins by IP\u001b[2J',
      bars: [
        { label: '198.51.100.77', count: 25 },
        { label: '203.0.113.9', count: 5 },
      ],
    };
    expect(renderFindingChart(chart, { width: 40, color: false })).toEqual([
      'Failed sign-ins by IP',
      '198.51.100.77  █████████████████████  25',
      '203.0.113.9    ████▎                   5',
    ]);
  });

  it('draws a time chart by day as bars and by hour as sparklines', () => {
    const days = renderFindingChart(
      {
        kind: 'time',
        title: 'Failed sign-ins per day',
        bucket: 'day',
        points: [
          { at: '2026-12-01', count: 2 },
          { at: '2026-12-02', count: 0 },
        ],
      },
      { width: 40, color: false },
    );
    expect(days).toEqual([
      'Failed sign-ins per day',
      '2026-12-01  █████████████████████████  2',
      '2026-12-02                             0',
    ]);
    const hours = renderFindingChart(
      {
        kind: 'time',
        title: 'By hour',
        bucket: 'hour',
        points: [{ at: '2026-12-01T09:00+00:00', count: 4 }],
      },
      { width: 40, color: false },
    );
    expect(hours).toEqual([
      'By hour',
      '            0     6     12    18',
      '2026-12-01           █                4',
    ]);
  });
});

describe('chart numbers and width', () => {
  it('formats counts with thousands separators and shares with one decimal', () => {
    expect([0, 999, 1000, 1_234_567].map(formatCount)).toEqual(['0', '999', '1,000', '1,234,567']);
    expect(formatPercent(1, 3)).toBe('33.3%');
    expect(formatPercent(0, 0)).toBe('0.0%');
  });

  it('takes COLUMNS first, then the terminal, else 80; never fewer than 40', () => {
    expect(chartWidth({ COLUMNS: '100' }, { isTTY: true, columns: 60 })).toBe(100);
    expect(chartWidth({}, { isTTY: true, columns: 60 })).toBe(60);
    expect(chartWidth({}, { isTTY: false })).toBe(80);
    expect(chartWidth({ COLUMNS: '20' }, {})).toBe(40);
    expect(chartWidth({ COLUMNS: 'wide' }, { isTTY: true, columns: 30 })).toBe(40);
  });

  it('draws more than two weeks of days as a strip of one character a day, wrapped to the width, with the busiest day', () => {
    const points = Array.from({ length: 40 }, (_, index) => ({
      at: `2026-11-${String(index + 1).padStart(2, '0')}`.replace(
        /-11-(3[1-9]|40)$/,
        (_m, day) => `-12-${String(Number(day) - 30).padStart(2, '0')}`,
      ),
      count: index === 33 ? 40 : index % 7 === 0 ? 0 : 5,
    }));
    const lines = renderFindingChart(
      { kind: 'time', title: 'auth events by day', bucket: 'day', points },
      { width: 40, color: false },
    );
    expect(lines).toEqual([
      'auth events by day',
      '2026-11-01  ·▁▁▁▁▁▁·▁▁▁▁▁▁·▁▁▁▁▁▁·▁▁▁▁▁▁',
      '2026-11-29  ·▁▁▁▁█▁·▁▁▁▁',
      'to 2026-12-10; busiest 2026-12-04: 40',
    ]);
    expect(widest(lines)).toBeLessThanOrEqual(40);
  });
});
