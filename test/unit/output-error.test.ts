import { describe, expect, it } from 'vitest';
import { asOutputFileError } from '../../src/export/output-error.js';

const enoent = () => Object.assign(new Error('ENOENT: no such file or directory'), { code: 'ENOENT' });

describe('an output path whose directory does not exist', () => {
  it('suggests a mkdir -p that works when pasted, for a directory name with spaces and quotes', () => {
    const error = asOutputFileError(enoent(), "/nonexistent/Q1 report's/x.csv") as Error;
    expect(error.message).toContain(`(mkdir -p '/nonexistent/Q1 report'\\''s')`);
  });

  it('leaves a plain directory name bare', () => {
    const error = asOutputFileError(enoent(), '/nonexistent/q1/x.csv') as Error;
    expect(error.message).toContain('(mkdir -p /nonexistent/q1)');
  });
});
