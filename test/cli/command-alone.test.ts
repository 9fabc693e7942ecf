import { PassThrough } from 'node:stream';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { COMMANDS_ALONE, programAlone } from '../../src/cli/command-alone.js';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';

function context(): CliContext & { stdout: PassThrough; stderr: PassThrough; text: () => [string, string] } {
  const stdout = new PassThrough();
  const stderr = new PassThrough();
  let out = '';
  let err = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  stderr.on('data', (chunk) => {
    err += chunk;
  });
  return {
    stdout,
    stderr,
    stdin: new PassThrough(),
    env: { AUDIT_CONFIG_DIR: '/nonexistent/audit-test' },
    now: () => Date.parse('2026-12-07T10:00:00Z'),
    interrupted: new Promise(() => {}),
    signal: new AbortController().signal,
    text: () => [out, err],
  };
}

/** Runs argv through the whole tree, as run() did before commands were built alone. */
async function runWhole(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = context();
  let code = 0;
  try {
    await buildProgram(ctx).parseAsync(argv, { from: 'user' });
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode ?? -1;
  }
  const [out, err] = ctx.text();
  return { code, out, err };
}

async function runAlone(argv: string[]): Promise<{ code: number; out: string; err: string }> {
  const ctx = context();
  const program = (await programAlone(argv, ctx)) as Command;
  let code = 0;
  try {
    await program.parseAsync(argv, { from: 'user' });
  } catch (error) {
    code = (error as { exitCode?: number }).exitCode ?? -1;
  }
  const [out, err] = ctx.text();
  return { code, out, err };
}

function describeTree(command: Command): unknown {
  return {
    name: command.name(),
    help: command.helpInformation(),
    options: command.options.map((option) => [option.flags, option.description, option.argChoices]),
    commands: command.commands.map(describeTree),
  };
}

describe('a command built alone', () => {
  const names = Object.keys(COMMANDS_ALONE);

  it.each(names)(
    'audit %s alone is the command of the whole tree: flags, help, subcommands',
    async (name) => {
      const whole = buildProgram(context()).commands.find((command) => command.name() === name) as Command;
      const program = (await programAlone([name], context())) as Command;
      expect(program.commands).toHaveLength(1);
      expect(describeTree(program.commands[0] as Command)).toEqual(describeTree(whole));
      expect(program.options.map((option) => option.flags)).toEqual(
        buildProgram(context()).options.map((option) => option.flags),
      );
    },
  );

  it.each(
    names.flatMap((name) => [
      [name, '--help'],
      [name, '-h'],
      [name, '--bogus'],
      [name, '--formt', 'csv'],
      [name, 'extra', 'words'],
      [name, '--format', 'xml'],
      [name, '--from'],
      [name, 'help'],
      [name, '--debug', '--bogus'],
    ]),
  )('audit %s %s… answers as the whole tree does (output, errors, exit code)', async (...argv) => {
    expect(await runAlone(argv)).toEqual(await runWhole(argv));
  });

  it('every command of the whole tree is built alone but help and completion, which read the tree', () => {
    const whole = buildProgram(context()).commands.map((command) => command.name());
    expect([...names].sort()).toEqual(
      whole.filter((name) => name !== 'help' && name !== 'completion').sort(),
    );
  });

  it('a command line that does not start with such a command gets the whole tree', async () => {
    for (const argv of [
      [],
      ['help', 'export'],
      ['--debug', 'export'],
      ['exports'],
      ['__proto__'],
      ['constructor'],
      ['help'],
      ['completion', 'bash'],
      ['--debug', 'logs'],
    ]) {
      expect(await programAlone(argv, context())).toBeUndefined();
    }
    const ctx = context();
    expect(await run(['help', 'export'], ctx)).toBe(0);
    expect(ctx.text()[0]).toContain('Usage: audit export');
  });
});
