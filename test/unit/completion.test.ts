import { readFileSync } from 'node:fs';
import { PassThrough } from 'node:stream';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { COMPLETION_FILES, completionScript, SHELLS } from '../../src/cli/completion/index.js';
import { completionTree } from '../../src/cli/completion/tree.js';
import type { CliContext } from '../../src/cli/context.js';
import { run } from '../../src/cli/main.js';
import { buildProgram } from '../../src/cli/program.js';
import { CATEGORIES } from '../../src/domain/categories.js';
import { EXPORT_FORMATS } from '../../src/export/types.js';

const COMPLETIONS = fileURLToPath(new URL('../../completions/', import.meta.url));

function quietContext(): CliContext {
  return {
    stdout: new PassThrough(),
    stderr: new PassThrough(),
    stdin: new PassThrough(),
    env: {},
    now: Date.now,
    interrupted: new Promise(() => {}),
    signal: new AbortController().signal,
  };
}

describe('completion scripts', () => {
  const program = buildProgram(quietContext());

  it.each(SHELLS)(
    'completions/%s matches the command tree (else: npm run build && npm run completions)',
    (shell) => {
      const committed = readFileSync(`${COMPLETIONS}${COMPLETION_FILES[shell]}`, 'utf8');
      expect(committed).toBe(completionScript(shell, program));
    },
  );

  it.each(SHELLS)('audit completion %s prints the same script', async (shell) => {
    const context = quietContext();
    let out = '';
    context.stdout.on('data', (chunk) => {
      out += chunk;
    });
    expect(await run(['completion', shell], context)).toBe(0);
    expect(out).toBe(completionScript(shell, program));
  });

  it('the tree has every command path, every flag, and the fixed choices', () => {
    const specs = completionTree(program);
    const at = (path: string) => specs.find((spec) => spec.path === path);
    expect(specs.map((spec) => spec.path)).toEqual(
      expect.arrayContaining([
        '',
        'logs',
        'logs show',
        'backup run',
        'server token create',
        'server org set-plan',
      ]),
    );
    expect(at('')?.subcommands.map((c) => c.name)).toEqual(
      expect.arrayContaining(['login', 'logout', 'logs']),
    );
    const flag = (path: string, name: string) => at(path)?.flags.find((f) => f.names.includes(name));
    expect(flag('logs', '--category')?.value?.words).toEqual([...CATEGORIES]);
    expect(flag('export', '--format')?.value?.words).toEqual([...EXPORT_FORMATS]);
    expect(flag('export', '--split')?.value?.words).toEqual(['day', 'month']);
    expect(flag('backup run', '--format')?.value?.words).toEqual(['json', 'csv', 'ndjson']);
    expect(flag('server user add', '--role')?.value?.words).toEqual(['owner', 'admin', 'member']);
    expect(flag('webhooks add', '--format')?.value?.words).toEqual(['json', 'slack', 'discord', 'teams']);
    // Global flags are valid after a subcommand too; -o offers the list formats and file names.
    expect(flag('logs show', '-o')?.value).toEqual({
      words: ['table', 'json', 'ndjson', 'csv'],
      files: 'file',
    });
    expect(flag('server start', '--db')?.value?.files).toBe('file');
    expect(flag('logs', '--all')?.value).toBeUndefined();
    expect(at('completion')?.args[0]?.words).toEqual(['bash', 'zsh', 'fish']);
    expect(at('server org set-plan')?.args[0]?.words).toEqual([
      'free',
      'paid',
      'fleet',
      'enterprise',
      'unlimited',
    ]);
    expect(at('help')?.args[0]?.words).toEqual(expect.arrayContaining(['logs', 'environment', 'exit-codes']));
  });

  it('quotes what it writes: a description with quotes cannot break out', () => {
    const bash = completionScript('bash', program);
    // "forget the profile's token" is in the tree: it must reach the scripts quoted.
    expect(completionScript('zsh', program)).toContain(`'logout:forget the profile'\\''s token`);
    expect(completionScript('fish', program)).toContain(`-d 'forget the profile\\'s token`);
    expect(bash).not.toContain('_init_completion');
    expect(bash).not.toContain('_get_comp_words_by_ref');
  });
});
