import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { terminalSafeText } from '../../src/cli/output/jq-filter.js';
import {
  addOutputOptions,
  type OutputOptions,
  outputFormatOf,
  resolveOutput,
} from '../../src/cli/output-options.js';

/** The options commander makes of `argv` on a command with the output flags. */
function parse(argv: string[]): OutputOptions {
  const command = addOutputOptions(new Command('logs')).exitOverride();
  command.parse(argv, { from: 'user' });
  return command.opts<OutputOptions>();
}

describe('the output flags as parsed', () => {
  it('split comma lists, trimmed; --json alone asks for the list of fields', () => {
    expect(parse(['--columns', ' id, time ,,ip'])).toEqual({ columns: ['id', 'time', 'ip'] });
    expect(parse(['--json'])).toEqual({ json: true });
    expect(parse(['--json', 'id,action', '--jq', '.[].id'])).toEqual({
      json: ['id', 'action'],
      jq: '.[].id',
    });
  });

  it('an empty list or expression is a usage error', () => {
    expect(() => parse(['--columns', ' , '])).toThrow(UsageError);
    // The example names fields JSON has (`timestamp`, not the table's `time`).
    expect(() => parse(['--json', ','])).toThrow(
      '--json: needs a comma list of names, e.g. id,timestamp,action',
    );
    expect(() => parse(['--jq', ' '])).toThrow('--jq: needs an expression');
  });
});

describe('the format the flags imply', () => {
  it('--json means JSON (ndjson allowed); with another -o it is a usage error', () => {
    expect(outputFormatOf({ json: ['id'] }, undefined)).toBe('json');
    expect(outputFormatOf({ json: ['id'] }, 'ndjson')).toBe('ndjson');
    expect(() => outputFormatOf({ json: ['id'] }, 'csv')).toThrow(
      '--json prints JSON; it cannot be used with -o csv',
    );
    expect(outputFormatOf({ columns: ['id'] }, 'csv')).toBe('csv');
  });

  it('--jq needs --json, as gh has it; --columns and --json do not mix', () => {
    expect(() => outputFormatOf({ jq: '.' }, undefined)).toThrow('add --json FIELDS');
    expect(() => outputFormatOf({ json: ['id'], columns: ['id'] }, undefined)).toThrow(UsageError);
  });

  it('--columns names are checked against the format: CSV has its own, JSON has none', async () => {
    expect((await resolveOutput({ columns: ['time'] }, 'csv')).csvColumns).toEqual(['timestamp']);
    expect((await resolveOutput({ columns: ['time'] }, 'tsv')).columns?.map((column) => column.name)).toEqual(
      ['time'],
    );
    await expect(resolveOutput({ columns: ['timestamp'] }, 'table')).rejects.toThrow(
      '--columns: "timestamp" is unknown',
    );
    await expect(resolveOutput({ columns: ['id'] }, 'ndjson')).rejects.toThrow('use --json FIELDS');
  });
});

describe('jq text shown on a terminal', () => {
  it('keeps tabs and line breaks (@tsv, multi-line strings) and drops what steers the terminal', () => {
    expect(terminalSafeText('a\tb\nc\u001b]52;c;cGF5bG9hZA==\u0007d\r\u202e\u009b31m')).toBe('a\tb\ncd');
  });
});
