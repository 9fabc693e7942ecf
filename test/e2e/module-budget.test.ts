import { readdirSync, readFileSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cliEnv, runCli, type SpawnedServer, startServerProcess, tempHome } from '../helpers/cli.js';

const RECORDER = fileURLToPath(new URL('../helpers/module-recorder.mjs', import.meta.url));
const SRC = fileURLToPath(new URL('../../src/', import.meta.url));
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** dist/bundle/meta.json (scripts/bundle.mjs): the modules, by path from the root, that each bundle file holds. */
const bundleInputs = new Map(
  Object.entries(
    JSON.parse(readFileSync(join(ROOT, 'dist/bundle/meta.json'), 'utf8')) as Record<string, string[]>,
  ),
);

/**
 * The modules a loaded file stands for: a file of the bundle, every module bundled into it (so
 * the budgets below count and name the same modules as when each loaded on its own); any other
 * file, itself.
 */
const sourcesOf = (loaded: string): string[] => {
  const path = loaded.startsWith('file:') ? fileURLToPath(loaded) : loaded;
  const inputs = path.startsWith(ROOT) ? bundleInputs.get(path.slice(ROOT.length)) : undefined;
  return inputs ? inputs.map((input) => join(ROOT, input)) : [path];
};

/**
 * What a command loads, by command class: each stays fast at start-up because it does not load
 * what it does not use, and a ceiling on the count catches a module graph that creeps up.
 */
describe('the modules each kind of command loads', () => {
  const home = tempHome();
  const plainEnv = cliEnv(home.configDir);
  let server: SpawnedServer;
  let runs = 0;
  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], plainEnv);
  });
  afterAll(async () => {
    await server?.stop('SIGTERM');
    rmSync(home.dir, { recursive: true, force: true });
  });

  /** The env that makes a process write every module it loads to a file of its own. */
  const recording = () => {
    const log = join(home.dir, `modules-${++runs}.txt`);
    const env = cliEnv(home.configDir, { NODE_OPTIONS: `--import ${RECORDER}`, MODULE_RECORDER_LOG: log });
    const files = () => [...new Set(readFileSync(log, 'utf8').split('\n').filter(Boolean))];
    const loaded = () => [...new Set(files().flatMap(sourcesOf))];
    return { env, files, loaded };
  };

  const packagesIn = (modules: string[]) =>
    new Set(modules.flatMap((module) => /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(module)?.[1] ?? []));

  const CHARTS = '/dist/cli/output/charts/';
  const HEAVY = ['undici', 'fastify', 'better-sqlite3', 'pino', 'pdfkit'];

  it('bin/audit.js runs the bundle: no module of dist/ loads from outside dist/bundle/, and the bundle holds the sources it stands for', async () => {
    const { env, files, loaded } = recording();
    const logs = await runCli(['logs', '--limit', '1', '-o', 'json'], { env });
    expect(logs.code, logs.stderr).toBe(0);
    const compiled = files().filter((file) => file.includes('/dist/'));
    expect(compiled.filter((file) => !file.includes('/dist/bundle/'))).toEqual([]);
    expect(compiled.some((file) => file.endsWith('/dist/bundle/main.js'))).toBe(true);
    expect(loaded()).toContain(join(ROOT, 'dist/cli/commands/logs.js'));
    // Only this build's files: chunks of an earlier build (named by their hash) would be packed.
    const built = readdirSync(join(ROOT, 'dist/bundle')).filter((name) => name.endsWith('.js'));
    expect(built.filter((name) => !bundleInputs.has(`dist/bundle/${name}`))).toEqual([]);
  });

  it('every worker thread a module starts from a file beside it is a file of the bundle too (else the bundled server would silently run without it)', () => {
    const started: string[] = [];
    for (const file of readdirSync(SRC, { recursive: true, encoding: 'utf8' })) {
      if (!file.endsWith('.ts')) continue;
      const source = readFileSync(join(SRC, file), 'utf8');
      if (!source.includes('new Worker(')) continue;
      for (const [, name] of source.matchAll(/new URL\('\.\/([\w-]+)\.js', import\.meta\.url\)/g))
        started.push(name as string);
    }
    expect(started).toEqual(expect.arrayContaining(['seal-worker', 'ndjson-worker']));
    expect(started.filter((name) => !bundleInputs.has(`dist/bundle/${name}.js`))).toEqual([]);
  });

  it('--help loads none of undici, fastify, better-sqlite3, pino, pdfkit, node:crypto (at most 88 modules)', async () => {
    const { env, loaded } = recording();
    const help = await runCli(['--help'], { env });
    expect(help.code, help.stderr).toBe(0);
    const modules = loaded();
    expect(modules.some((module) => module.includes('/dist/cli/program.js'))).toBe(true);
    expect(HEAVY.filter((name) => packagesIn(modules).has(name))).toEqual([]);
    expect(modules.filter((module) => module.includes(CHARTS))).toEqual([]);
    // A token is checked (node:zlib) and made (node:crypto) only by the commands that do so.
    expect(modules.filter((module) => /^node:(crypto|zlib)$/.test(module))).toEqual([]);
    expect(modules.length).toBeLessThanOrEqual(88);
  });

  it('audit stats loads the charts, which --help and the list commands never load (at most 180 modules)', async () => {
    const { env, loaded } = recording();
    const stats = await runCli(['stats', '-o', 'chart'], { env });
    expect(stats.code, stats.stderr).toBe(0);
    const modules = loaded();
    expect(modules.some((module) => module.endsWith(`${CHARTS}bar-chart.js`))).toBe(true);
    expect(
      ['fastify', 'better-sqlite3', 'pino', 'pdfkit'].filter((name) => packagesIn(modules).has(name)),
    ).toEqual([]);
    expect(modules.length).toBeLessThanOrEqual(180);
  });

  /** The commands of dist/cli/commands/ that a run loaded, by file name. */
  const commandsIn = (modules: string[]) =>
    modules.flatMap((module) => /\/dist\/cli\/commands\/([^/]+)\.js$/.exec(module)?.[1] ?? []);

  it('a list command loads its own command alone, the parts of undici the client uses, and no fastify, better-sqlite3, pino, pdfkit (at most 125 modules)', async () => {
    const { env, loaded } = recording();
    const logs = await runCli(['logs', '--limit', '1', '-o', 'json'], { env });
    expect(logs.code, logs.stderr).toBe(0);
    const modules = loaded();
    const packages = packagesIn(modules);
    expect(packages.has('undici')).toBe(true);
    expect(modules.filter((module) => module.endsWith('/node_modules/undici/index.js'))).toEqual([]);
    expect(['fastify', 'better-sqlite3', 'pino', 'pdfkit'].filter((name) => packages.has(name))).toEqual([]);
    expect(modules.filter((module) => module.includes(CHARTS))).toEqual([]);
    expect(commandsIn(modules).filter((name) => !name.startsWith('logs'))).toEqual([]);
    expect(modules.some((module) => module.endsWith('/dist/cli/program.js'))).toBe(false);
    // 122 at this ceiling's last change (172 when the whole command tree was built for it).
    expect(modules.length).toBeLessThanOrEqual(125);
  });

  it('audit logs --help loads its own command alone and no undici (at most 40 modules)', async () => {
    const { env, loaded } = recording();
    const help = await runCli(['logs', '--help'], { env });
    expect(help.code, help.stderr).toBe(0);
    expect(help.stdout).toContain('Usage: audit logs');
    const modules = loaded();
    expect(commandsIn(modules).filter((name) => !name.startsWith('logs'))).toEqual([]);
    expect(packagesIn(modules).has('undici')).toBe(false);
    // 36 at this ceiling's last change (89 when the whole command tree was built for it).
    expect(modules.length).toBeLessThanOrEqual(40);
  });

  it('audit export --format csv loads its own command alone: no other command, no pdfkit, no server parts (at most 135 modules)', async () => {
    const { env, loaded } = recording();
    const file = join(home.dir, 'budget.csv');
    const exported = await runCli(['export', '--since', '1d', '--format', 'csv', '--no-input', '-o', file], {
      env,
    });
    expect(exported.code, exported.stderr).toBe(0);
    expect(readFileSync(file, 'utf8')).toMatch(/^id,timestamp,/);
    const modules = loaded();
    expect(commandsIn(modules).filter((name) => !name.startsWith('export'))).toEqual([]);
    expect(modules.some((module) => module.endsWith('/dist/cli/program.js'))).toBe(false);
    expect(
      ['fastify', 'better-sqlite3', 'pino', 'pdfkit'].filter((name) => packagesIn(modules).has(name)),
    ).toEqual([]);
    // 132 at this ceiling's last change (178 when the whole command tree was built for it).
    expect(modules.length).toBeLessThanOrEqual(135);
  });

  it('profile list reads the profiles without the writing parts (atomic writer, lock) nor node:crypto (at most 40 modules)', async () => {
    const { env, loaded } = recording();
    const list = await runCli(['profile', 'list'], { env });
    expect(list.code, list.stderr).toBe(0);
    const modules = loaded();
    const writing = /\/dist\/config\/(profile-store|atomic-write|file-lock)\.js$/;
    expect(modules.filter((module) => writing.test(module))).toEqual([]);
    expect(modules.filter((module) => /^node:(crypto|zlib)$/.test(module))).toEqual([]);
    // 38 at this ceiling's last change (44 when it read through the store).
    expect(modules.length).toBeLessThanOrEqual(40);
  });

  it("an admin command loads better-sqlite3 and none of undici, fastify, pino, pdfkit, nor the server's readers (at most 150 modules)", async () => {
    const { env, loaded } = recording();
    const list = await runCli(['server', 'token', 'list', '--db', home.dbFile], { env });
    expect(list.code, list.stderr).toBe(0);
    const modules = loaded();
    const packages = packagesIn(modules);
    expect(packages.has('better-sqlite3')).toBe(true);
    expect(['undici', 'fastify', 'pino', 'pdfkit'].filter((name) => packages.has(name))).toEqual([]);
    // The export and leaves routes' reads are added on top of the store graph by the server only.
    const serverReaders = /\/dist\/store\/(export-chunk|merkle-leaf-rows|merkle-export-leaves)\.js$/;
    expect(modules.filter((module) => serverReaders.test(module))).toEqual([]);
    // 147 at this ceiling's last change.
    expect(modules.length).toBeLessThanOrEqual(150);
  });

  it('server start never loads the client start-up module (so the Liftoff-only V8 flag never applies to it), nor undici before a webhook send needs it', async () => {
    const { env, loaded } = recording();
    const second = await startServerProcess(['--db', join(home.dir, 'second.db')], env);
    await second.stop('SIGTERM');
    const modules = loaded();
    expect(modules.some((module) => module.includes('/dist/server/app.js'))).toBe(true);
    expect(modules.filter((module) => module.includes('/dist/client/'))).toEqual([]);
    expect(packagesIn(modules).has('undici')).toBe(false);
  });

  it('sets the V8 flag in one place only: client/undici.ts, called where the CLI makes its client', () => {
    const sourceFiles = (dir: string): string[] =>
      readdirSync(dir, { withFileTypes: true }).flatMap((entry) =>
        entry.isDirectory() ? sourceFiles(join(dir, entry.name)) : [join(dir, entry.name)],
      );
    const relative = (file: string) => file.slice(SRC.length);
    const files = sourceFiles(SRC).filter((file) => file.endsWith('.ts'));
    const mentioning = (text: string) =>
      files.filter((file) => readFileSync(file, 'utf8').includes(text)).map(relative);
    expect(mentioning('setFlagsFromString')).toEqual(['client/undici.ts']);
    expect(mentioning('compileWasmForQuickExit')).toEqual(['cli/session.ts', 'client/undici.ts']);
    expect(readFileSync(fileURLToPath(new URL('../../bin/audit.js', import.meta.url)), 'utf8')).not.toMatch(
      /setFlagsFromString|liftoff/i,
    );
  });
});
