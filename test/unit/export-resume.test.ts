import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { afterAll, describe, expect, it } from 'vitest';
import { type ExportOptions, exportCommand, exportFlagsOf } from '../../src/cli/commands/export.js';
import { resumeCommand } from '../../src/cli/commands/export-resume.js';
import type { CliContext } from '../../src/cli/context.js';
import { addGlobalOptions, globalFlags } from '../../src/cli/globals.js';
import { encodeResumePoint } from '../../src/export/export-cursor.js';
import { type ExportPlan, planExport } from '../../src/export/plan.js';
import { sanitizeForDisplay } from '../../src/format/sanitize.js';
import { shellQuote, shellQuoteForDisplay } from '../../src/format/shell-quote.js';

const NOW = Date.parse('2024-03-15T12:00:00.000Z');
const CURSOR = encodeResumePoint({
  pageCursor: 'p2',
  receivedBefore: '2024-03-15T12:00:00.000Z',
  written: 1000,
});
const scratch = mkdtempSync(join(tmpdir(), 'audit-resume-'));
afterAll(() => rmSync(scratch, { recursive: true, force: true }));

/** `audit ARGV` through the real commander tree of `audit export`, up to its plan. */
async function planOf(argv: string[]): Promise<{ plan: ExportPlan; line: string }> {
  const context = { now: () => NOW } as unknown as CliContext;
  const program = addGlobalOptions(new Command('audit')).exitOverride();
  const command = exportCommand(context).exitOverride();
  let planned: { plan: ExportPlan; line: string } | undefined;
  command.action((options: ExportOptions, cmd: Command) => {
    const globals = globalFlags(cmd);
    const dates = { zone: globals.utc ? 'UTC' : (globals.tz ?? 'UTC'), now: NOW };
    const plan = planExport(exportFlagsOf(options, globals, dates), undefined, dates);
    planned = { plan, line: resumeCommand(plan, { globals, zone: dates.zone }, CURSOR) };
  });
  program.addCommand(command);
  await program.parseAsync(argv, { from: 'user' });
  if (!planned) throw new Error('the export action did not run');
  return planned;
}

/** The words a shell makes of `line` (bash: the printed form may use $'…'); nothing in it runs. */
function wordsOf(line: string): string[] {
  const out = execFileSync('bash', ['-c', `printf '%s\\0' ${line}`], { cwd: scratch, encoding: 'utf8' });
  return out.split('\0').slice(0, -1);
}

/** Resumes the printed line: its words parsed again by `audit export`. */
async function resumedPlan(line: string): Promise<ExportPlan> {
  const [audit, ...argv] = wordsOf(line);
  expect(audit).toBe('audit');
  return (await planOf(argv)).plan;
}

const samePlan = (plan: ExportPlan) => ({ ...plan, cursor: CURSOR, resume: expect.anything() });

describe('the resume command of an interrupted export', () => {
  it('is rebuilt from what was parsed: short, joined, --opt=value and repeated flags resume to one command', async () => {
    const typed = await planOf([
      '--utc',
      'export',
      '--category',
      'auth',
      '--category=security',
      '--actor=bob',
      '-q',
      'failed login',
      '--since',
      '7d',
      '-oq1.csv',
      '--format=json',
    ]);
    const spelledOut = await planOf([
      'export',
      '--utc',
      '--category',
      'auth,security',
      '--actor',
      'bob',
      '--search=failed login',
      '--from',
      '2024-03-08T12:00:00.000Z',
      '--output',
      'q1.csv',
      '--format',
      'json',
    ]);
    expect(typed.line).toBe(spelledOut.line);
    expect(typed.line).toBe(
      `audit export --utc --category auth,security --actor bob --search 'failed login' --from 2024-03-08T12:00:00.000Z --to 2024-03-15T12:00:00.000Z --format json --output=q1.csv --no-input --cursor ${CURSOR}`,
    );
    expect(await resumedPlan(typed.line)).toEqual(samePlan(typed.plan));
  });

  it('pins a relative range (--since 24h must not move on resume) and keeps split, gzip, zone and connection flags', async () => {
    const { plan, line } = await planOf([
      '--profile',
      'prod',
      '--server',
      'https://audit.example.com',
      '--tz',
      'Europe/Paris',
      'export',
      '--since',
      '24h',
      '--split',
      'day',
      '--gzip',
      '--detailed',
      '-o',
      'out/logs.ndjson',
    ]);
    expect(line).toContain('--from 2024-03-14T12:00:00.000Z --to 2024-03-15T12:00:00.000Z');
    // The name with the .gz this run added is pinned, so the resume names it: the one difference.
    expect(await resumedPlan(line)).toEqual({ ...samePlan(plan), outputNamedByUser: true });
    const words = wordsOf(line);
    for (const word of [
      '--profile',
      'prod',
      '--server',
      'https://audit.example.com',
      '--tz',
      'Europe/Paris',
    ]) {
      expect(words).toContain(word);
    }
    expect(words).toEqual(
      expect.arrayContaining(['--split', 'day', '--gzip', '--detailed', '--output=out/logs.ndjson.gz']),
    );
  });

  it('keeps the CSV columns: the resumed rows go on in the partial with its header', async () => {
    const { plan, line } = await planOf([
      'export',
      '--from',
      '2024-01-01',
      '--to',
      '2024-01-31',
      '-o',
      'q1.csv',
      '--columns',
      'id,time,ip,actor_email',
    ]);
    expect(plan.columns).toEqual(['id', 'timestamp', 'ip_address', 'actor_email']);
    expect(wordsOf(line)).toEqual(
      expect.arrayContaining(['--columns', 'id,timestamp,ip_address,actor_email']),
    );
    // The cursor such an export prints names its columns.
    const cursor = encodeResumePoint({
      pageCursor: 'p2',
      receivedBefore: '2024-03-15T12:00:00.000Z',
      written: 1000,
      columns: plan.columns ?? [],
    });
    const resumed = await resumedPlan(line.replace(CURSOR, cursor));
    expect(resumed).toEqual({ ...plan, cursor, resume: expect.objectContaining({ columns: plan.columns }) });
  });

  it('refuses to resume with other columns than the partial has, or with --columns a cursor of every column never had', async () => {
    const withColumns = encodeResumePoint({
      pageCursor: 'p2',
      receivedBefore: '2024-03-15T12:00:00.000Z',
      written: 10,
      columns: ['id', 'action'],
    });
    const range = ['export', '--from', '2024-01-01', '--to', '2024-01-31', '-o', 'q1.csv', '--no-input'];
    await expect(planOf([...range, '--cursor', withColumns, '--columns', 'action,id'])).rejects.toThrow(
      '--cursor: this export was started with --columns id,action; resume it with the same --columns',
    );
    await expect(planOf([...range, '--cursor', withColumns])).rejects.toThrow('--columns id,action');
    await expect(planOf([...range, '--cursor', CURSOR, '--columns', 'id'])).rejects.toThrow(
      'this export was started with every column; resume it without --columns',
    );
    expect(
      (await planOf([...range, '--cursor', withColumns, '--columns', 'id,action'])).plan.columns,
    ).toEqual(['id', 'action']);
  });

  it.each([
    ['quotes', `it's "x".csv`],
    ['a command substitution', `$(touch ${join(scratch, 'pwned')}).csv`],
    ['backquotes and a variable', '`touch pwned` $HOME.csv'],
    ['a newline and a terminal escape', 'a\nb\u001b]0;title\u0007.csv'],
    ['a bidi override', 'invoice\u202Efdp.csv'],
    ['a leading dash', '-rf.csv'],
  ])(
    'quotes a hostile file name with %s so that the shell gives it back exactly and runs nothing',
    async (_, name) => {
      const { plan, line } = await planOf([
        'export',
        '--from',
        '2024-01-01',
        '--to',
        '2024-01-31',
        '-o',
        name,
      ]);
      expect(plan.output).toBe(name);
      // The printed line survives the terminal: sanitizing it changes nothing.
      expect(sanitizeForDisplay(line)).toBe(line);
      expect(wordsOf(line)).toContain(`--output=${name}`);
      expect(existsSync(join(scratch, 'pwned'))).toBe(false);
      expect(await resumedPlan(line)).toEqual(samePlan(plan));
    },
  );
});

describe('shellQuote', () => {
  it('gives sh back every word exactly, whatever it holds', () => {
    const words = ['plain', '', "it's", '$(id)', '`id`', 'a b', '*', 'a\nb', '\\', "'"];
    const line = words.map(shellQuote).join(' ');
    const out = execFileSync('sh', ['-c', `printf '%s\\0' ${line}`], { encoding: 'utf8' });
    expect(out.split('\0').slice(0, -1)).toEqual(words);
  });

  it('the display form is the sh form for a word a terminal shows as it is', () => {
    for (const word of ['plain', "it's", '$(id)', 'été.csv'])
      expect(shellQuoteForDisplay(word)).toBe(shellQuote(word));
    expect(shellQuoteForDisplay('a\nb')).toBe("$'a\\nb'");
  });
});
