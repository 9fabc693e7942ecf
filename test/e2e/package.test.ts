/**
 * The package as people get it: `npm pack` holds only what should ship, and
 * `npm install -g ./<tarball>` into an empty prefix gives a working `audit`.
 *
 * The install runs with --ignore-scripts and --prefer-offline (dependencies come from the npm
 * cache `npm ci` filled): compiling better-sqlite3 again would add 2-3 minutes on a 2-core
 * machine and test better-sqlite3's installer rather than this package. The checkout's
 * compiled better-sqlite3 binary (same version, same Node) is copied in so that the installed
 * `audit server start` is exercised too. About 15 s, so it runs on every `npm test`.
 */
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { tempDir } from '../helpers/temp-dir.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const NPM = process.platform === 'win32' ? 'npm.cmd' : 'npm';

interface PackFile {
  path: string;
}

function npm(args: string[], cwd: string): string {
  return execFileSync(NPM, args, {
    cwd,
    encoding: 'utf8',
    env: {
      ...process.env,
      npm_config_loglevel: 'error',
      npm_config_fund: 'false',
      npm_config_audit: 'false',
    },
    stdio: ['ignore', 'pipe', 'pipe'],
    timeout: 180_000,
  });
}

describe('npm pack', () => {
  it('contains dist, bin, completions, migrations, README, CHANGELOG, LICENSE and package.json only', () => {
    const [pack] = JSON.parse(npm(['pack', '--dry-run', '--json'], ROOT)) as [{ files: PackFile[] }];
    const paths = pack.files.map((file) => file.path);
    const tops = [...new Set(paths.map((path) => path.split('/')[0]))].sort();
    expect(tops).toEqual([
      'CHANGELOG.md',
      'LICENSE',
      'README.md',
      'bin',
      'completions',
      'dist',
      'migrations',
      'package.json',
    ]);
    expect(paths).toEqual(
      expect.arrayContaining([
        'dist/index.js',
        'dist/index.d.ts',
        'bin/audit.js',
        'migrations/0001-initial.sql',
        'migrations/postgres/0001-initial.sql',
      ]),
    );
    expect(
      paths.filter(
        (path) =>
          path.startsWith('migrations/') && !/^migrations\/(postgres\/)?\d{4}-[a-z0-9-]+\.sql$/.test(path),
      ),
    ).toEqual([]);
    expect(paths).toEqual(
      expect.arrayContaining(['completions/audit.bash', 'completions/audit.zsh', 'completions/audit.fish']),
    );
    expect(paths.filter((path) => /\.map$|\.tsbuildinfo$|\.test\.|\.partial$/.test(path))).toEqual([]);
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(manifest.main).toBe('./dist/index.js');
    expect(manifest.exports['.'].import).toBe('./dist/index.js');
    expect(manifest.bin.audit).toBe('bin/audit.js');
  });
});

describe('npm install -g ./<tarball> on an empty prefix', () => {
  const dir = tempDir('package');
  const prefix = join(dir, 'prefix');
  const audit = join(prefix, 'bin', 'audit');
  const installed = join(prefix, 'lib', 'node_modules', 'audit-cli');
  const env = {
    PATH: `${join(prefix, 'bin')}:${process.env.PATH ?? ''}`,
    HOME: dir,
    AUDIT_CONFIG_DIR: join(dir, 'config'),
    AUDIT_DATA_DIR: join(dir, 'data'),
    NO_COLOR: '1',
  };
  const run = (args: string[]) => execFileSync(audit, args, { env, encoding: 'utf8', cwd: dir });

  beforeAll(() => {
    npm(['pack', '--pack-destination', dir], ROOT);
    const tarball = readdirSync(dir).find((name) => name.endsWith('.tgz'));
    if (!tarball) throw new Error('npm pack wrote no tarball');
    npm(
      ['install', '--global', '--prefix', prefix, '--prefer-offline', '--ignore-scripts', `./${tarball}`],
      dir,
    );
    const binary = join('build', 'Release', 'better_sqlite3.node');
    const target = join(installed, 'node_modules', 'better-sqlite3', binary);
    mkdirSync(join(target, '..'), { recursive: true });
    copyFileSync(join(ROOT, 'node_modules', 'better-sqlite3', binary), target);
  }, 200_000);

  it('puts a working audit on the PATH: --version, --help, completion', () => {
    const manifest = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
    expect(run(['--version']).trim()).toBe(manifest.version);
    expect(run(['--help'])).toContain('Usage: audit [options] [command]');
    expect(run(['completion', 'bash'])).toBe(
      readFileSync(join(installed, 'completions', 'audit.bash'), 'utf8'),
    );
    expect(existsSync(join(installed, 'LICENSE'))).toBe(true);
  });

  it('exports the typed client as the package main', () => {
    const app = join(dir, 'app');
    mkdirSync(join(app, 'node_modules'), { recursive: true });
    symlinkSync(installed, join(app, 'node_modules', 'audit-cli'), 'dir');
    const out = execFileSync(
      process.execPath,
      ['--input-type=module', '-e', "const m = await import('audit-cli'); console.log(typeof m.AuditClient)"],
      { cwd: app, encoding: 'utf8' },
    );
    expect(out.trim()).toBe('function');
  });

  describe('the installed server', () => {
    let server: ReturnType<typeof spawn> | undefined;
    // Stopped, not only signalled, before the file's temp dirs (its data dir among them) go.
    afterAll(async () => {
      if (!server || server.exitCode !== null || server.signalCode !== null) return;
      const exited = new Promise((resolve) => server?.once('exit', resolve));
      server.kill('SIGTERM');
      await exited;
    });

    it('starts, and the installed CLI reads from it', async () => {
      server = spawn(audit, ['server', 'start', '--port', '0', '--demo'], { env, stdio: 'pipe' });
      const url = await new Promise<string>((resolve, reject) => {
        let out = '';
        let err = '';
        const timer = setTimeout(() => reject(new Error(`no Listening line: ${err}`)), 20_000);
        server?.stderr?.setEncoding('utf8');
        server?.stderr?.on('data', (chunk: string) => {
          err += chunk;
        });
        server?.stdout?.setEncoding('utf8');
        server?.stdout?.on('data', (chunk: string) => {
          out += chunk;
          const match = /Listening on (\S+)/.exec(out);
          if (match?.[1]) {
            clearTimeout(timer);
            resolve(match[1]);
          }
        });
        server?.on('exit', (code) => reject(new Error(`server exited ${code}: ${err}`)));
      });
      expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
      expect(run(['whoami'])).toContain('Role:         owner');
      const events = JSON.parse(run(['logs', '--limit', '3', '-o', 'json'])) as unknown[];
      expect(events).toHaveLength(3);
    });
  });
});
