/**
 * The committed completion scripts in the real shells: bash always; zsh and fish when installed
 * (.ci/run installs them from Debian's packages).
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/domain/categories.js';
import { BIN } from '../helpers/cli.js';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const SCRIPT = (name: string) => join(ROOT, 'completions', name);
const ZSH_HELPER = fileURLToPath(new URL('../helpers/zsh-complete.zsh', import.meta.url));
const HOME = tempDir('shells');
const env = { PATH: process.env.PATH ?? '/usr/bin:/bin', HOME, TMPDIR: HOME, LANG: 'C.UTF-8', TERM: 'dumb' };

function installed(shell: string): boolean {
  return spawnSync(shell, ['-c', 'exit 0'], { env }).status === 0;
}

/** Each case: the line typed before Tab, and what must be offered (exactly, sorted). */
const CASES: [line: string, expected: string[]][] = [
  ['audit lo', ['login', 'logout', 'logs']],
  ['audit logs --category ', [...CATEGORIES]],
  ['audit export --format ', ['csv', 'json', 'ndjson', 'pdf']],
  ['audit --profile prod backup run --format ', ['csv', 'json', 'ndjson']],
  ['audit server org set-plan ', ['enterprise', 'fleet', 'free', 'paid', 'unlimited']],
  ['audit logs show --li', ['--limit']],
  ['audit completion ', ['bash', 'fish', 'zsh']],
];

const sorted = (words: string[]) => [...new Set(words.filter(Boolean))].sort();

function bashComplete(line: string, shellEnv: NodeJS.ProcessEnv = env): string[] {
  const words = line.split(' ');
  const script = `source "$1"; shift; COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1)); _audit; printf '%s\\n' "\${COMPREPLY[@]}"`;
  const out = execFileSync(
    'bash',
    ['--norc', '--noprofile', '-c', script, 'bash', SCRIPT('audit.bash'), ...words],
    {
      env: shellEnv,
      cwd: HOME,
      encoding: 'utf8',
    },
  );
  return sorted(out.split('\n'));
}

function zshComplete(line: string, shellEnv: NodeJS.ProcessEnv = env): string[] {
  const out = execFileSync('zsh', ['-f', ZSH_HELPER, SCRIPT('audit.zsh'), line], {
    env: shellEnv,
    cwd: HOME,
    encoding: 'utf8',
    timeout: 20_000,
  });
  return sorted(out.split('\n'));
}

function fishComplete(line: string, shellEnv: NodeJS.ProcessEnv = env): string[] {
  const out = execFileSync(
    'fish',
    ['--no-config', '-c', 'source $argv[1]; complete -C $argv[2]', SCRIPT('audit.fish'), line],
    {
      env: shellEnv,
      cwd: HOME,
      encoding: 'utf8',
    },
  );
  // fish prints "match<TAB>description".
  return sorted(out.split('\n').map((entry) => entry.split('\t')[0] ?? ''));
}

/**
 * The built CLI on PATH as `audit`, and a config dir whose profiles include names a shell must
 * not take as they are (a command substitution, a space): only the others are offered.
 */
function withProfiles(): NodeJS.ProcessEnv {
  const dir = tempDir('shell-profiles');
  mkdirSync(join(dir, 'bin'));
  writeFileSync(join(dir, 'bin', 'audit'), `#!/bin/sh\nexec '${process.execPath}' '${BIN}' "$@"\n`, {
    mode: 0o755,
  });
  mkdirSync(join(dir, 'config'));
  const profiles = { alpha: {}, 'beta.eu': {}, '$(touch pwned)': {}, 'x y': {} };
  writeFileSync(join(dir, 'config', 'config.json'), JSON.stringify({ activeProfile: 'alpha', profiles }), {
    mode: 0o600,
  });
  return { ...env, PATH: `${join(dir, 'bin')}:${env.PATH}`, AUDIT_CONFIG_DIR: join(dir, 'config') };
}

/** Lines whose values are the saved profiles' names, asked of the CLI as the user types. */
const PROFILE_CASES: [line: string, expected: string[]][] = [
  ['audit profile use ', ['alpha', 'beta.eu']],
  ['audit profile remove b', ['beta.eu']],
  ['audit --profile ', ['alpha', 'beta.eu']],
  ['audit logs --profile a', ['alpha']],
];

describe.each([
  ['bash', bashComplete, true],
  ['zsh', zshComplete, installed('zsh')],
  ['fish', fishComplete, installed('fish')],
] as const)('%s completes profile names from the config file', (_shell, complete, present) => {
  it.skipIf(!present).each(PROFILE_CASES)('%j', (line, expected) => {
    const shellEnv = withProfiles();
    expect(complete(line, shellEnv)).toEqual(sorted(expected));
    expect(existsSync(join(HOME, 'pwned'))).toBe(false);
  });
});

describe('bash completion (plain bash, no bash-completion package)', () => {
  it.each(CASES)('%j', (line, expected) => {
    expect(bashComplete(line)).toEqual(sorted(expected));
  });

  it('completes --flag=value in both COMP_WORDBREAKS styles', () => {
    expect(bashComplete('audit export --format = n')).toEqual(['ndjson']);
    expect(bashComplete('audit export --format=n')).toEqual(['--format=ndjson']);
  });

  it('loads without bash-completion helpers being defined', () => {
    const out = execFileSync(
      'bash',
      [
        '--norc',
        '--noprofile',
        '-c',
        'source "$1" && complete -p audit && ! type _init_completion 2>/dev/null',
        'bash',
        SCRIPT('audit.bash'),
      ],
      { env, encoding: 'utf8' },
    );
    expect(out).toContain('complete -F _audit audit');
  });
});

describe.skipIf(!installed('zsh'))('zsh completion (skipped when zsh is not installed)', () => {
  it.each(CASES)('%j', (line, expected) => {
    expect(zshComplete(line)).toEqual(sorted(expected));
  });
});

describe.skipIf(!installed('fish'))('fish completion (skipped when fish is not installed)', () => {
  it.each(CASES)('%j', (line, expected) => {
    expect(fishComplete(line)).toEqual(sorted(expected));
  });
});
