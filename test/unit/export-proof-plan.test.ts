import { describe, expect, it } from 'vitest';
import { encodeResumePoint } from '../../src/export/export-cursor.js';
import { type ExportFlags, ExportPlanError, planExport } from '../../src/export/plan.js';

const dates = { now: Date.parse('2024-03-15T12:00:00.000Z'), zone: 'UTC' };
const flags = (overrides: Partial<ExportFlags>): ExportFlags => ({
  filters: {},
  from: '2024-01-01',
  to: '2024-01-31',
  proof: true,
  ...overrides,
});

function refusal(overrides: Partial<ExportFlags>): string {
  try {
    planExport(flags(overrides), undefined, dates);
  } catch (error) {
    expect(error).toBeInstanceOf(ExportPlanError);
    return (error as Error).message;
  }
  throw new Error('expected the plan to refuse');
}

describe('--proof is refused where a proof could not cover the file', () => {
  it.each<[string, Partial<ExportFlags>, string]>([
    [
      'a PDF report',
      { format: 'pdf', output: 'r.pdf' },
      '--proof: a PDF report cannot be proved row by row; export csv, json or ndjson',
    ],
    [
      'standard output',
      { output: '-' },
      '--proof writes FILE.proof.json beside the file; give -o FILE, not -',
    ],
    [
      'a subset of the CSV columns',
      { output: 'a.csv', columns: ['id', 'action'] },
      '--proof covers whole events; export every column (drop --columns)',
    ],
    [
      'a resumed export',
      {
        output: 'a.ndjson',
        cursor: encodeResumePoint({
          pageCursor: 'p2',
          receivedBefore: '2024-03-15T12:00:00.000Z',
          written: 10,
        }),
      },
      '--proof: a resumed export cannot be proved (its first part was read before any checkpoint was pinned); export the range again with --proof',
    ],
  ])('%s', (_name, overrides, message) => {
    expect(refusal(overrides)).toBe(message);
  });

  it('a whole-event file export is planned with its proof', () => {
    const plan = planExport(flags({ output: 'q1.ndjson.gz', split: 'month' }), undefined, dates);
    expect(plan).toMatchObject({ proof: true, format: 'ndjson', gzip: true, split: 'month' });
  });
});
