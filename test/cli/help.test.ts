import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import type { CliContext } from '../../src/cli/context.js';
import { EXIT } from '../../src/cli/errors.js';
import { run } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';

const SRC = fileURLToPath(new URL('../../src/', import.meta.url));

function context(): CliContext & { output: () => string } {
  const stdout = new PassThrough();
  let out = '';
  stdout.on('data', (chunk) => {
    out += chunk;
  });
  return {
    stdout,
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: { AUDIT_CONFIG_DIR: '/nonexistent/audit-test' },
    now: Date.now,
    interrupted: new Promise(() => {}),
    signal: new AbortController().signal,
    output: () => out,
  };
}

async function runHelp(args: string[]) {
  const ctx = context();
  const code = await run(args, ctx);
  return { code, stdout: ctx.output() };
}

function allCommands(command: Command, path: string[] = []): { path: string; command: Command }[] {
  return command.commands.flatMap((child) => {
    const childPath = [...path, child.name()];
    return [{ path: childPath.join(' '), command: child }, ...allCommands(child, childPath)];
  });
}

function sourceFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sourceFiles(path) : path.endsWith('.ts') ? [path] : [];
  });
}

describe('help', () => {
  const program = buildProgram(context());
  const commands = allCommands(program);

  it.each(commands.map(({ path }) => path))('audit %s has a one-line summary and examples', async (path) => {
    const command = commands.find((entry) => entry.path === path)?.command as Command;
    const summary = command.summary() || command.description();
    expect(summary.trim()).not.toBe('');
    expect(summary).not.toContain('\n');
    expect(summary.length).toBeLessThanOrEqual(100);
    const help = await runHelp([...path.split(' '), '--help']);
    expect(help.code).toBe(EXIT.ok);
    expect(help.stdout).toMatch(/\nExamples:\n {2}\$ audit /);
  });

  it('the root help has examples from real use: an incident, a month-end export, cron', async () => {
    const help = await runHelp(['--help']);
    expect(help.stdout).toContain('Examples:');
    expect(help.stdout).toMatch(/incident/);
    expect(help.stdout).toMatch(/month-end export/);
    expect(help.stdout).toMatch(/backup schedule/);
  });

  it('shows option defaults', async () => {
    const logs = await runHelp(['logs', '--help']);
    expect(logs.stdout).toMatch(/--limit <n>\s+how many events to show \(default: 50\)/);
    const start = await runHelp(['server', 'start', '--help']);
    expect(start.stdout).toMatch(/\(default: 7787\)/);
    expect(start.stdout).toMatch(/\(default: "127\.0\.0\.1"\)/);
  });

  it('audit help environment lists every AUDIT_* variable the source reads', async () => {
    const used = new Set<string>();
    for (const file of sourceFiles(SRC)) {
      for (const match of readFileSync(file, 'utf8').matchAll(/\bAUDIT_[A-Z][A-Z0-9_]*/g)) used.add(match[0]);
    }
    expect(used.size).toBeGreaterThan(8);
    const help = await runHelp(['help', 'environment']);
    expect(help.code).toBe(EXIT.ok);
    for (const name of used)
      expect(help.stdout, `${name} is read in src/ but not in audit help environment`).toMatch(
        new RegExp(`^  ${name}\\s`, 'm'),
      );
  });

  it('audit help exit-codes lists the codes of the contract', async () => {
    const help = await runHelp(['help', 'exit-codes']);
    expect(help.code).toBe(EXIT.ok);
    for (const code of [0, 1, 2, 4, 130]) expect(help.stdout).toMatch(new RegExp(`^  ${code}\\s+\\S`, 'm'));
  });

  it('audit help <command> is the command help, nested commands too', async () => {
    expect((await runHelp(['help', 'logs'])).stdout).toBe((await runHelp(['logs', '--help'])).stdout);
    const nested = await runHelp(['help', 'server', 'token', 'create']);
    expect(nested.stdout).toContain('Usage: audit server token create');
    expect((await runHelp(['help'])).stdout).toBe((await runHelp(['--help'])).stdout);
  });

  it('audit help with an unknown name is a usage error', async () => {
    const ctx = context();
    let err = '';
    (ctx.stderr as PassThrough).on('data', (chunk) => {
      err += chunk;
    });
    expect(await run(['help', 'nope'], ctx)).toBe(EXIT.usage);
    expect(err).toContain('no help for "nope"');
  });
});
