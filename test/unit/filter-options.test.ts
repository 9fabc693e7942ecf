import { Command, CommanderError } from 'commander';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/cli/errors.js';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../../src/cli/filter-options.js';
import { CATEGORIES } from '../../src/domain/categories.js';

const NOW = new Date('2024-07-15T10:20:30.000Z');
const PARIS = { zone: 'Europe/Paris', now: NOW };

function command(name = 'logs'): Command {
  return addFilterOptions(new Command(name))
    .exitOverride()
    .configureOutput({ writeOut: () => {}, writeErr: () => {} });
}

function parse(argv: string[]): FilterOptions {
  return command().parse(argv, { from: 'user' }).opts<FilterOptions>();
}

function params(argv: string[], context = PARIS) {
  return filtersToParams(parse(argv), context);
}

function usageMessage(run: () => unknown): string {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    expect((error as UsageError).message).not.toContain('\n');
    return (error as UsageError).message;
  }
  throw new Error('expected a UsageError');
}

describe('addFilterOptions + filtersToParams', () => {
  it('turns every flag into its list parameter', () => {
    expect(
      params([
        '--category',
        'auth',
        '--category',
        'billing,team',
        '--action',
        'user.login,tunnel.*',
        '--action',
        'team.member_added',
        '--actor',
        'me',
        '--target',
        'repo-1',
        '--resource',
        'Design Team',
        '--ip',
        '203.0.113.7',
        '--team',
        'team_01',
        '--from',
        '2024-01-01',
        '--to',
        '2024-01-31',
        '-q',
        'failed login',
        '--detailed',
      ]),
    ).toEqual({
      category: ['auth', 'billing', 'team'],
      action: ['user.login', 'tunnel.*', 'team.member_added'],
      actor: 'me',
      target: 'repo-1',
      resource: 'Design Team',
      ip: '203.0.113.7',
      team_id: 'team_01',
      from: '2023-12-31T23:00:00.000Z',
      to: '2024-01-31T22:59:59.999Z',
      q: 'failed login',
      detailed: true,
    });
  });

  it('gives no parameters without flags', () => {
    expect(params([])).toEqual({});
  });

  it('accepts the long --search, --since, and the --opt=value form', () => {
    expect(params(['--search=alice', '--since', '7d', '--category=security'])).toEqual({
      q: 'alice',
      since: '7d',
      category: ['security'],
    });
  });

  it('reads dates in the given zone', () => {
    expect(
      params(['--from', '2024-01-15T14:00', '--to', 'today'], { zone: 'America/Los_Angeles', now: NOW }),
    ).toEqual({ from: '2024-01-15T22:00:00.000Z', to: '2024-07-16T06:59:59.999Z' });
    expect(params(['--from', '24h'], { zone: 'UTC', now: NOW })).toEqual({
      from: '2024-07-14T10:20:30.000Z',
    });
  });

  it('accumulates --category across repeats and comma lists, without duplicates, in any case', () => {
    expect(parse(['--category', 'auth', '--category', 'billing,team']).category).toEqual([
      'auth',
      'billing',
      'team',
    ]);
    expect(parse(['--category', 'Auth, security', '--category', 'auth']).category).toEqual([
      'auth',
      'security',
    ]);
  });

  it('rejects an unknown category with exit code 2, naming the choices', () => {
    expect(usageMessage(() => parse(['--category', 'nope']))).toBe(
      `--category: "nope" is not a category; choose from ${CATEGORIES.join(', ')}`,
    );
    expect(usageMessage(() => parse(['--category', 'auth,nope']))).toMatch(/^--category: "nope"/);
    expect(usageMessage(() => parse(['--category', ',']))).toMatch(/^--category: needs a value/);
  });

  it('lists the category choices and a Filters group in the help', () => {
    const help = command().helpInformation().replace(/\s+/g, ' ');
    expect(help).toContain('Filters:');
    expect(help).toContain(`choices: ${CATEGORIES.map((category) => `"${category}"`).join(', ')}`);
  });

  it('rejects a wildcard that does not end a prefix', () => {
    expect(usageMessage(() => parse(['--action', '*']))).toBe(
      '--action: "*": a wildcard must end a prefix, as in tunnel.*',
    );
    expect(usageMessage(() => parse(['--action', 'user.*.login']))).toMatch(/^--action: "user\.\*\.login"/);
  });

  it('does not let --category or --action swallow the words that follow', () => {
    const search = addFilterOptions(new Command('search').argument('[text...]')).exitOverride();
    search.parse(['--category', 'auth', 'failed', 'login', '--action', 'user.login', 'twice'], {
      from: 'user',
    });
    expect(search.args).toEqual(['failed', 'login', 'twice']);
    expect(search.opts<FilterOptions>()).toMatchObject({ category: ['auth'], action: ['user.login'] });
  });

  it('rejects a bad --since while parsing', () => {
    expect(usageMessage(() => parse(['--since', '7 days']))).toBe(
      '--since: "7 days" is not a duration; use 30m, 24h, 7d or 2w',
    );
  });

  it('rejects --since together with --from, but allows it with --to', () => {
    expect(usageMessage(() => params(['--since', '7d', '--from', '2024-01-01']))).toBe(
      '--since and --from cannot be used together; give one of them',
    );
    expect(params(['--since', '7d', '--to', '2024-07-31'], { zone: 'UTC', now: NOW })).toEqual({
      since: '7d',
      to: '2024-07-31T23:59:59.999Z',
    });
  });

  it('rejects bad dates and a reversed range', () => {
    expect(usageMessage(() => params(['--from', 'last tuesday']))).toMatch(
      /^--from: "last tuesday" is not a date/,
    );
    expect(usageMessage(() => params(['--to', '2024-02-30']))).toMatch(
      /^--to: "2024-02-30" is not a real date/,
    );
    expect(usageMessage(() => params(['--from', '2024-02-01', '--to', '2024-01-31']))).toMatch(
      /^--from \(.*\) is after --to \(.*\)/,
    );
  });

  it('rejects empty values for free-form flags', () => {
    expect(usageMessage(() => parse(['--actor', '  ']))).toBe('--actor: needs a value');
    expect(usageMessage(() => parse(['-q', '']))).toBe('--search: needs a value');
  });

  it('leaves a missing argument to commander', () => {
    expect(() => parse(['--category'])).toThrow(CommanderError);
    expect(() => parse(['--from'])).toThrow(/argument missing/);
  });
});
