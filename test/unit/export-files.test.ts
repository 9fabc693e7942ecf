import { describe, expect, it } from 'vitest';
import { decodeResumePoint, ExportCursorError, encodeResumePoint } from '../../src/export/export-cursor.js';
import { createPeriodClock, defaultExportName, fileForPeriod } from '../../src/export/export-files.js';

describe('export file names', () => {
  it.each([
    ['q1.csv', '2024-01', 'q1-2024-01.csv'],
    ['out/q1.json.gz', '2024-02', 'out/q1-2024-02.json.gz'],
    ['/tmp/x.ndjson', '2024-03-09', '/tmp/x-2024-03-09.ndjson'],
    ['report', '2024-01', 'report-2024-01'],
    ['data.v2.csv', '2024-01', 'data.v2-2024-01.csv'],
  ])('%s for %s is %s', (output, period, expected) => {
    expect(fileForPeriod(output, period)).toBe(expected);
  });

  it('defaults to audit-logs-<from>_<to>.<format> with days in the display zone', () => {
    const range = { from: '2024-01-01T05:00:00.000Z', to: '2024-02-01T04:59:59.999Z' };
    expect(defaultExportName({ ...range, format: 'csv', gzip: false, zone: 'America/New_York' })).toBe(
      'audit-logs-2024-01-01_2024-01-31.csv',
    );
    expect(defaultExportName({ ...range, format: 'json', gzip: true, zone: 'UTC' })).toBe(
      'audit-logs-2024-01-01_2024-02-01.json.gz',
    );
    expect(defaultExportName({ ...range, format: 'json', gzip: false, split: 'month', zone: 'UTC' })).toBe(
      'audit-logs.json',
    );
  });
});

describe('split periods', () => {
  it('cuts months and days at midnight in the display zone, across DST', () => {
    const month = createPeriodClock('month', 'America/New_York');
    expect(month('2024-03-01T04:59:59.999Z')).toBe('2024-02');
    expect(month('2024-03-01T05:00:00.000Z')).toBe('2024-03');
    expect(month('2024-03-31T12:00:00.000Z')).toBe('2024-03');
    expect(month('2024-04-01T03:59:59.999Z')).toBe('2024-03');
    expect(month('2024-04-01T04:00:00.000Z')).toBe('2024-04');
    const day = createPeriodClock('day', 'America/New_York');
    // March 10, 2024 has 23 hours in New York.
    expect(day('2024-03-10T05:00:00.000Z')).toBe('2024-03-10');
    expect(day('2024-03-11T03:59:59.999Z')).toBe('2024-03-10');
    expect(day('2024-03-11T04:00:00.000Z')).toBe('2024-03-11');
  });
});

describe('resume cursors', () => {
  it('round-trips the page cursor, pinned bound, count and open period', () => {
    const point = {
      pageCursor: 'abc',
      receivedBefore: '2024-01-01T00:00:00.000Z',
      written: 1000,
      period: '2024-01',
    };
    expect(decodeResumePoint(encodeResumePoint(point))).toEqual(point);
    const start = { pageCursor: null, receivedBefore: '2024-01-01T00:00:00.000Z', written: 0 };
    expect(decodeResumePoint(encodeResumePoint(start))).toEqual(start);
  });

  it.each([
    'bogus',
    'exp1.',
    'exp1.bm90IGpzb24',
    `exp1.${Buffer.from('[2,null,"x",0,null]').toString('base64url')}`,
  ])('rejects %s', (text) => {
    expect(() => decodeResumePoint(text)).toThrow(ExportCursorError);
  });
});
