import { describe, expect, it } from 'vitest';
import { encodeResumePoint } from '../../src/export/export-cursor.js';
import { type ExportFlags, ExportPlanError, planExport } from '../../src/export/plan.js';

const NOW = Date.parse('2024-03-15T12:00:00.000Z');
const dates = { now: NOW, zone: 'UTC' };
const flags = (overrides: Partial<ExportFlags> = {}): ExportFlags => ({ filters: {}, ...overrides });
const CURSOR = encodeResumePoint({
  pageCursor: 'p2',
  receivedBefore: '2024-03-15T12:00:00.000Z',
  written: 1000,
});

function refusal(planned: () => unknown): string {
  try {
    planned();
  } catch (error) {
    expect(error).toBeInstanceOf(ExportPlanError);
    return (error as Error).message;
  }
  throw new Error('expected the plan to refuse');
}

describe('planExport refuses, each time with the message the CLI prints', () => {
  it.each<[string, Partial<ExportFlags>, string]>([
    [
      'no range and nobody to ask',
      {},
      '--from is required, e.g. --from 2024-01-01 --to 2024-01-31 (or --since 7d)',
    ],
    [
      '--since with --from',
      { since: '7d', from: '2024-01-01' },
      '--since and --from cannot be used together; give one of them',
    ],
    [
      '--from after --to',
      { from: '2024-02-01', to: '2024-01-01' },
      '--from (2024-02-01T00:00:00.000Z) is after --to (2024-01-01T23:59:59.999Z); swap them or widen the range',
    ],
    [
      '--from in the future without --to (to is now)',
      { from: '2024-04-01' },
      '--from (2024-04-01T00:00:00.000Z) is after --to (2024-03-15T12:00:00.000Z); swap them or widen the range',
    ],
    [
      '--split to standard output',
      { from: '2024-01-01', split: 'month', output: '-' },
      '--split writes one file per period; give -o FILE, not -',
    ],
    [
      '--cursor with a PDF (by --format)',
      { from: '2024-01-01', format: 'pdf', cursor: CURSOR },
      '--cursor: a PDF report cannot be resumed; export it again',
    ],
    [
      '--cursor with a PDF (by the -o name)',
      { from: '2024-01-01', output: 'report.pdf', cursor: CURSOR },
      '--cursor: a PDF report cannot be resumed; export it again',
    ],
    [
      'a cursor that no export printed',
      { from: '2024-01-01', cursor: 'bogus' },
      '--cursor: not a cursor printed by an interrupted audit export; copy it whole',
    ],
    [
      'a --from that is not a date',
      { from: 'last tuesday' },
      '--from: "last tuesday" is not a date; use 2024-01-31, 2024-01-31T14:00, 2024-01-31T14:00:00Z or 24h',
    ],
    [
      'a --to that is not a real day',
      { from: '2024-01-01', to: '2024-02-30' },
      '--to: "2024-02-30" is not a real date or time; use 2024-01-31, 2024-01-31T14:00, 2024-01-31T14:00:00Z',
    ],
  ])('%s', (_, overrides, message) => {
    expect(refusal(() => planExport(flags(overrides), undefined, dates))).toBe(message);
  });

  it('answers from the terminal are checked like flags', () => {
    const answers = { from: '2024-02-01', to: '2024-01-01', format: 'csv' as const, output: 'x.csv' };
    expect(refusal(() => planExport(flags(), answers, dates))).toMatch(/^--from \(.+\) is after --to/);
  });
});

describe('planExport decides', () => {
  it('a closed range: --since becomes from, a missing --to is now', () => {
    const plan = planExport(flags({ since: '24h', filters: { actor: 'bob' } }), undefined, dates);
    expect(plan.params).toEqual({
      actor: 'bob',
      from: '2024-03-14T12:00:00.000Z',
      to: '2024-03-15T12:00:00.000Z',
    });
  });

  it('dates in the display zone', () => {
    const plan = planExport(flags({ from: '2024-01-01', to: '2024-01-31' }), undefined, {
      now: NOW,
      zone: 'Europe/Paris',
    });
    expect(plan.params).toEqual({ from: '2023-12-31T23:00:00.000Z', to: '2024-01-31T22:59:59.999Z' });
  });

  it('csv to the default name, not named by the user', () => {
    expect(planExport(flags({ from: '2024-01-01', to: '2024-01-31' }), undefined, dates)).toMatchObject({
      format: 'csv',
      output: 'audit-logs-2024-01-01_2024-01-31.csv',
      gzip: false,
      split: undefined,
      cursor: undefined,
      resume: undefined,
      outputNamedByUser: false,
    });
  });

  it('-o json is a format; -o NAME.ndjson.gz gives format and gzip; --gzip adds .gz to a name', () => {
    const range = { from: '2024-01-01', to: '2024-01-31' };
    expect(planExport(flags({ ...range, output: 'json' }), undefined, dates)).toMatchObject({
      format: 'json',
      output: 'audit-logs-2024-01-01_2024-01-31.json',
    });
    expect(planExport(flags({ ...range, output: 'x.ndjson.gz' }), undefined, dates)).toMatchObject({
      format: 'ndjson',
      output: 'x.ndjson.gz',
      gzip: true,
      outputNamedByUser: true,
    });
    expect(planExport(flags({ ...range, output: 'x.csv', gzip: true }), undefined, dates)).toMatchObject({
      output: 'x.csv.gz',
      gzip: true,
      outputNamedByUser: false,
    });
    expect(planExport(flags({ ...range, output: '-', gzip: true }), undefined, dates)).toMatchObject({
      output: '-',
      gzip: true,
    });
  });

  it('--split names the periods from audit-logs.<format>', () => {
    expect(
      planExport(flags({ from: '2024-01-01', split: 'month', format: 'json' }), undefined, dates),
    ).toMatchObject({ output: 'audit-logs.json', split: 'month' });
  });

  it('the answers replace range, format and file', () => {
    const answers = { from: '7d', to: 'now', format: 'ndjson' as const, output: 'week.ndjson' };
    expect(planExport(flags({ format: 'csv' }), answers, dates)).toMatchObject({
      params: { from: '2024-03-08T12:00:00.000Z', to: '2024-03-15T12:00:00.000Z' },
      format: 'ndjson',
      output: 'week.ndjson',
    });
  });

  it('a cursor is decoded once, here', () => {
    const plan = planExport(flags({ from: '2024-01-01', cursor: CURSOR }), undefined, dates);
    expect(plan.resume).toEqual({
      pageCursor: 'p2',
      receivedBefore: '2024-03-15T12:00:00.000Z',
      written: 1000,
    });
    expect(plan.cursor).toBe(CURSOR);
  });
});
