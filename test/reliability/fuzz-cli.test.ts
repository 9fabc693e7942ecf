import { mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import type { Command, Option } from 'commander';
import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { buildProgram } from '../../src/cli/program.js';
import { hostileString } from './hostile.js';
import { runInProcess } from './in-process-cli.js';

const RUNS = 1500;
const SEED = Number(process.env.AUDIT_FUZZ_SEED ?? 20_240_915);
// Commands that change the machine when their input happens to be valid (listen on a port, write
// a database or the crontab, replace the stored profile) are left to their own tests.
const EXCLUDED = /^(server|login|logout|import|help|backup schedule|backup unschedule)\b/;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point.
const UNSAFE = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const PATH_OPTIONS = new Set(['--dir']);

interface CommandShape {
  path: string[];
  options: Option[];
  positional: number;
}

function commandsOf(root: Command): CommandShape[] {
  const shapes: CommandShape[] = [];
  const walk = (command: Command, path: string[]) => {
    if (path.length > 0 && !EXCLUDED.test(path.join(' '))) {
      shapes.push({
        path,
        options: command.options as Option[],
        positional: command.registeredArguments.length,
      });
    }
    for (const sub of command.commands) walk(sub, [...path, sub.name()]);
  };
  walk(root, []);
  return shapes;
}

describe('fuzzing the command line', () => {
  const scratch = mkdtempSync(join(tmpdir(), 'audit-fuzz-cli-'));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  const program = buildProgram({
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    now: Date.now,
    interrupted: new Promise(() => {}),
    signal: new AbortController().signal,
  });
  const globals = program.options as Option[];
  const commands = commandsOf(program);

  const argvArbitrary = fc
    .constantFrom(...commands)
    .chain((command) => {
      const options = [...command.options, ...globals];
      const flag = fc.constantFrom(...options).chain((option): fc.Arbitrary<string[]> => {
        const name = (option.long ?? option.short) as string;
        const takesValue = option.required || option.optional;
        const isPath = PATH_OPTIONS.has(name) || (name === '--output' && command.path[0] === 'export');
        const value = isPath ? fc.constant(join(scratch, 'out')) : hostileString;
        if (!takesValue) return fc.constant([name] as string[]);
        return fc.oneof(
          value.map((text) => [name, text]),
          value.map((text) => [`${name}=${text}`]),
        );
      });
      const unknown = hostileString.map((text): string[] => [`--${text}`]);
      return fc.tuple(
        fc.constant(command.path),
        fc.array(fc.oneof({ arbitrary: flag, weight: 5 }, { arbitrary: unknown, weight: 1 }), {
          maxLength: 4,
        }),
        fc.array(hostileString, { maxLength: command.positional + 1 }),
      );
    })
    .map(([path, flags, positional]) => [...path, ...flags.flat(), ...positional]);

  it(`covers every command but the excluded ones (${commands.length} commands)`, () => {
    const names = commands.map((command) => command.path.join(' '));
    expect(names).toEqual(
      expect.arrayContaining(['logs', 'logs show', 'search', 'tail', 'export', 'backup run']),
    );
    expect(names.some((name) => name.startsWith('server'))).toBe(false);
  });

  it(`answers ${RUNS} hostile command lines with one line and exit 2 (or 4: not logged in), never a stack`, async () => {
    const codes = new Map<number, number>();
    await fc.assert(
      fc.asyncProperty(argvArbitrary, async (argv) => {
        // No token anywhere: input that passes validation stops at "not logged in" (4), before any request.
        const result = await runInProcess(argv, { env: { AUDIT_CONFIG_DIR: join(scratch, 'config') } });
        codes.set(result.code, (codes.get(result.code) ?? 0) + 1);
        expect(result.stderr).not.toMatch(/\n\s+at |unexpected error|TypeError|RangeError/);
        // What was typed comes back in the message: never as raw escape or bidi characters.
        expect(result.stderr).not.toMatch(UNSAFE);
        if (result.code === 0) return; // --help, --version, completion scripts
        expect([2, 4]).toContain(result.code);
        expect(result.stdout).toBe('');
        expect(result.stderr.endsWith('\n')).toBe(true);
        // A command group without its subcommand shows its usage, as git and gh do.
        if (result.stderr.startsWith('Usage: audit ')) return;
        expect(result.stderr.trimEnd().split('\n')).toHaveLength(1);
        expect(result.stderr).toMatch(/^audit: /);
      }),
      { numRuns: RUNS, seed: SEED },
    );
    console.info(`fuzz-cli: ${RUNS} command lines, exit codes ${JSON.stringify(Object.fromEntries(codes))}`);
    expect(codes.get(2) ?? 0).toBeGreaterThan(RUNS / 2);
    // Nothing was written where a path happened to be valid.
    expect(readdirSync(scratch).filter((name) => name !== 'config')).toEqual([]);
  }, 120_000);
});
