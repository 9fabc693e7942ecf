import { spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { dirname, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type CliResult,
  cliEnv,
  expectOneErrorLine,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';
import { configFile, readConfig } from '../helpers/config-file.js';
import { runInTerminal } from '../helpers/pty.js';

const everything = (result: CliResult) => `${result.stdout}${result.stderr}`;

describe('audit profile list, use and remove; logout that leaves a way out', () => {
  const home = tempHome();
  let server: SpawnedServer;
  let owner: string;

  async function login(configDir: string, profile?: string, extraEnv: Record<string, string> = {}) {
    const args = [
      'login',
      '--server',
      server.url,
      '--with-token',
      ...(profile !== undefined ? ['--profile', profile] : []),
    ];
    return runCli(args, { env: cliEnv(configDir, extraEnv), input: `${owner}\n` });
  }

  // The logins behind each list of profiles, run once; every test gets a copy of their dir.
  const loggedIn = new Map<string, Promise<string>>();

  /** A config dir logged in as `default` and as each of `others`; the last one is active. */
  async function profiles(...others: string[]): Promise<string> {
    const key = others.join('\n');
    const template =
      loggedIn.get(key) ??
      (async () => {
        const { configDir } = tempHome();
        expect((await login(configDir)).code).toBe(0);
        for (const name of others) expect((await login(configDir, name)).code).toBe(0);
        return configDir;
      })();
    loggedIn.set(key, template);
    const { configDir } = tempHome();
    cpSync(await template, configDir, { recursive: true });
    return configDir;
  }

  beforeAll(async () => {
    server = await startServerProcess(['--db', home.dbFile], cliEnv(home.configDir));
    owner = server.token as string;
  });
  afterAll(async () => {
    await server.stop();
  });

  it('after login --profile trial and logout, commands use "default" again and logout says so', async () => {
    const configDir = await profiles('trial');
    const env = cliEnv(configDir);
    const logout = await runCli(['logout'], { env });
    expect(logout.code).toBe(0);
    expect(logout.stderr).toContain('forgot the token of profile "trial"');
    expect(logout.stderr).toMatch(/active profile is now "default"/i);
    expect(logout.stderr).toContain('audit profile use');
    expect(readConfig(configDir).activeProfile).toBe('default');
    expect(readConfig(configDir).profiles.trial).toEqual({ server: server.url, org: 'default' });

    const whoami = await runCli(['whoami'], { env });
    expect(whoami.code).toBe(0);
    expect(whoami.stdout).toMatch(/^Profile:\s+default$/m);
  });

  it('not logged in with no other profile to fall back on: the error names audit login --profile and audit profile list', async () => {
    const { configDir } = tempHome();
    expect((await login(configDir, 'trial')).code).toBe(0);
    const env = cliEnv(configDir);
    const logout = await runCli(['logout'], { env });
    expect(logout.code).toBe(0);
    expect(logout.stderr).toMatch(/active profile is still "trial" \(no token\)/i);
    expect(logout.stderr).toContain('audit login --profile trial');

    const logs = await runCli(['logs'], { env });
    expect(logs.code).toBe(4);
    expectOneErrorLine(logs);
    expect(logs.stderr).toContain('not logged in (profile "trial")');
    expect(logs.stderr).toContain('audit login --profile trial');
    expect(logs.stderr).toContain('audit profile list');
  });

  it('not logged in while another profile has a token: the error names audit profile use with that profile', async () => {
    const configDir = await profiles('trial');
    const env = cliEnv(configDir);
    expect((await runCli(['logout', '--profile', 'trial'], { env })).code).toBe(0);
    expect((await runCli(['profile', 'use', 'trial'], { env })).code).toBe(0);
    const logs = await runCli(['logs'], { env });
    expect(logs.code).toBe(4);
    expectOneErrorLine(logs);
    expect(logs.stderr).toContain('audit profile use default');
  });

  it('profile list, piped: tab-separated, the active one marked, server and org, whether a token is stored, never the token', async () => {
    const configDir = await profiles('staging');
    const env = cliEnv(configDir);
    expect((await runCli(['logout', '--profile', 'staging'], { env })).code).toBe(0);
    expect((await runCli(['profile', 'use', 'staging'], { env })).code).toBe(0);
    const list = await runCli(['profile', 'list'], { env });
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')).toEqual([
      'ACTIVE\tNAME\tSERVER\tORG\tTOKEN',
      `\tdefault\t${server.url}\tdefault\tstored`,
      `*\tstaging\t${server.url}\tdefault\tnone`,
      '',
    ]);
    expect(everything(list)).not.toContain(owner.slice(0, 6));

    const json = await runCli(['profile', 'list', '-o', 'json'], { env });
    expect(json.code).toBe(0);
    expect(JSON.parse(json.stdout)).toEqual({
      active: 'staging',
      activeFrom: 'config',
      file: configFile(configDir),
      profiles: [
        { name: 'default', active: false, server: server.url, org: 'default', token: true },
        { name: 'staging', active: true, server: server.url, org: 'default', token: false },
      ],
    });
    expect(everything(json)).not.toContain(owner.slice(0, 6));

    const names = await runCli(['profile', 'list', '-o', 'name'], { env });
    expect(names.stdout).toBe('default\nstaging\n');
  });

  it('profile list in a terminal: aligned columns, the active one marked with *', async () => {
    const configDir = await profiles('staging');
    const run = runInTerminal(['profile', 'list'], { env: cliEnv(configDir), columns: 100 });
    const { code, output } = await run.done;
    expect(code).toBe(0);
    expect(output).toMatch(/^ACTIVE\s+NAME\s+SERVER\s+ORG\s+TOKEN$/m);
    expect(output).toMatch(/^\s+default\s+http:\/\/127\.0\.0\.1:\d+\s+default\s+stored$/m);
    expect(output).toMatch(/^\*\s+staging\s+http:\/\/127\.0\.0\.1:\d+\s+default\s+stored$/m);
    expect(output).not.toContain(owner.slice(0, 6));
  });

  it('profile list says where the active profile comes from when --profile or AUDIT_PROFILE chose it', async () => {
    const configDir = await profiles('staging');
    const fromEnv = await runCli(['profile', 'list'], {
      env: cliEnv(configDir, { AUDIT_PROFILE: 'default' }),
    });
    expect(fromEnv.code).toBe(0);
    expect(fromEnv.stdout).toContain('*\tdefault\t');
    expect(fromEnv.stderr).toContain('active profile "default" is chosen by AUDIT_PROFILE');
    expect(fromEnv.stderr).toContain('the config file\'s is "staging"');

    const fromFlag = await runCli(['profile', 'list', '--profile', 'default'], { env: cliEnv(configDir) });
    expect(fromFlag.stderr).toContain('chosen by --profile');
    const whoami = await runCli(['whoami'], { env: cliEnv(configDir, { AUDIT_PROFILE: 'default' }) });
    expect(whoami.stdout).toMatch(/^Profile:\s+default \(chosen by AUDIT_PROFILE\)$/m);

    const ghost = await runCli(['profile', 'list'], { env: cliEnv(configDir, { AUDIT_PROFILE: 'ghost' }) });
    expect(ghost.code).toBe(0);
    expect(ghost.stderr).toContain('"ghost" (chosen by AUDIT_PROFILE) is not a saved profile');
  });

  it('profile list with no config file says how to make a profile', async () => {
    const { configDir } = tempHome();
    const list = await runCli(['profile', 'list'], { env: cliEnv(configDir) });
    expect(list.code).toBe(0);
    expect(list.stdout).toBe('');
    expect(list.stderr).toContain('no profiles yet');
    expect(list.stderr).toContain('audit login');
    expect(existsSync(configFile(configDir))).toBe(false);
  });

  it('profile use makes a profile active for every later command', async () => {
    const configDir = await profiles('staging');
    const env = cliEnv(configDir);
    const use = await runCli(['profile', 'use', 'default'], { env });
    expect(use.code).toBe(0);
    expect(use.stderr).toContain('Active profile is now "default"');
    expect(readConfig(configDir).activeProfile).toBe('default');
    expect(statSync(configFile(configDir)).mode & 0o777).toBe(0o600);
    const whoami = await runCli(['whoami'], { env });
    expect(whoami.stdout).toMatch(/^Profile:\s+default$/m);

    const shadowed = await runCli(['profile', 'use', 'staging'], {
      env: cliEnv(configDir, { AUDIT_PROFILE: 'default' }),
    });
    expect(shadowed.code).toBe(0);
    expect(shadowed.stderr).toContain('AUDIT_PROFILE is set');
  });

  it('profile use of a profile that does not exist: exit 2, one line naming the profiles there are', async () => {
    const configDir = await profiles('staging');
    const before = readFileSync(configFile(configDir), 'utf8');
    const use = await runCli(['profile', 'use', 'prod'], { env: cliEnv(configDir) });
    expect(use.code).toBe(2);
    expectOneErrorLine(use);
    expect(use.stderr).toContain('no profile "prod"');
    expect(use.stderr).toContain('default, staging');
    expect(use.stderr).toContain('audit login --profile prod');
    expect(readFileSync(configFile(configDir), 'utf8')).toBe(before);
  });

  it('profile remove deletes the profile and its token from the file; the token is nowhere in the config dir', async () => {
    const configDir = await profiles('staging');
    // Debris of an interrupted write by an older version (conf's atomically) still holds the token.
    writeFileSync(join(configDir, 'config.json.tmp-1733480000abcdef'), readFileSync(configFile(configDir)));
    const env = cliEnv(configDir);
    expect((await runCli(['profile', 'use', 'default'], { env })).code).toBe(0);
    expect((await runCli(['logout', '--profile', 'default'], { env })).code).toBe(0);

    const remove = await runCli(['profile', 'remove', 'staging'], { env });
    expect(remove.code).toBe(0);
    expect(remove.stderr).toContain('Removed profile "staging" and its token');
    expect(remove.stderr).toContain('active profile is still "default"');
    expect(readConfig(configDir).profiles).toEqual({ default: { server: server.url, org: 'default' } });
    expect(readdirSync(configDir)).toEqual(['config.json']);
    expect(readFileSync(configFile(configDir), 'utf8')).not.toContain(owner);
    expect(statSync(configFile(configDir)).mode & 0o777).toBe(0o600);
  });

  it('removing the active profile makes "default" active and says so; removing the last leaves none', async () => {
    const configDir = await profiles('staging');
    const env = cliEnv(configDir);
    const first = await runCli(['profile', 'remove', 'staging'], { env });
    expect(first.code).toBe(0);
    expect(first.stderr).toContain('Active profile is now "default"');
    expect(readConfig(configDir).activeProfile).toBe('default');

    const last = await runCli(['profile', 'remove', 'default'], { env });
    expect(last.code).toBe(0);
    expect(last.stderr).toContain('No profiles left');
    expect(last.stderr).toContain('audit login');
    expect(readConfig(configDir)).toEqual({ profiles: {} });

    const again = await runCli(['profile', 'remove', 'default'], { env });
    expect(again.code).toBe(2);
    expectOneErrorLine(again);
    expect(again.stderr).toContain('no profile "default"');
  });

  it('removing the active profile with no "default" makes another one with a token active', async () => {
    const { configDir } = tempHome();
    expect((await login(configDir, 'alpha')).code).toBe(0);
    expect((await login(configDir, 'beta')).code).toBe(0);
    const remove = await runCli(['profile', 'remove', 'beta'], { env: cliEnv(configDir) });
    expect(remove.code).toBe(0);
    expect(remove.stderr).toContain('Active profile is now "alpha"');
    expect((await runCli(['whoami'], { env: cliEnv(configDir) })).code).toBe(0);
  });

  it.each([
    ['a relative path', '../x'],
    ['an absolute path', '/etc/passwd'],
    ['a terminal escape', 'a\u001b[31mb'],
    ['a newline', 'a\nb'],
    ['a shell word', '$(id)'],
    ['an empty name', ''],
  ])(
    'a profile name that is %s is refused with exit 2 by login, use and remove, touching no file',
    async (_case, name) => {
      const configDir = await profiles();
      const planted = join(dirname(configDir), 'x');
      writeFileSync(planted, 'not a profile\n');
      const before = readFileSync(configFile(configDir), 'utf8');
      const env = cliEnv(configDir);
      for (const result of [
        await login(configDir, name),
        await runCli(['profile', 'use', name], { env }),
        await runCli(['profile', 'remove', name], { env }),
        await runCli(['whoami', '--profile', name], { env }),
        ...(name === ''
          ? []
          : [await runCli(['whoami'], { env: cliEnv(configDir, { AUDIT_PROFILE: name }) })]),
      ]) {
        expect(result.code).toBe(2);
        expectOneErrorLine(result);
        expect(result.stderr).toContain('profile name');
        expect(result.stderr).not.toContain('\u001b');
      }
      expect(readFileSync(configFile(configDir), 'utf8')).toBe(before);
      expect(readFileSync(planted, 'utf8')).toBe('not a profile\n');
      expect(readFileSync('/etc/passwd', 'utf8')).toMatch(/^root:/);
      expect(readdirSync(configDir)).toEqual(['config.json']);
    },
  );

  it.each([
    ['not JSON', '{"profiles": {'],
    ['a list', '[1, 2]'],
    ['profiles that are a list', '{"profiles": [{"server": "http://x"}]}'],
    ['profiles that are text', '{"profiles": "default"}'],
    ['a profile that is a number', '{"profiles": {"default": 7}}'],
  ])(
    'a config file edited by hand to hold %s: one line naming the file, exit 2, the file left as it was',
    async (_case, text) => {
      const { configDir } = tempHome();
      mkdirSync(configDir, { recursive: true });
      writeFileSync(configFile(configDir), text, { mode: 0o600 });
      const env = cliEnv(configDir);
      for (const args of [
        ['profile', 'list'],
        ['profile', 'use', 'default'],
        ['profile', 'remove', 'default'],
      ]) {
        const result = await runCli(args, { env });
        expect(result.code, `${args.join(' ')}: ${result.stderr}`).toBe(2);
        expectOneErrorLine(result);
        expect(result.stderr).toContain(configFile(configDir));
      }
      expect(readFileSync(configFile(configDir), 'utf8')).toBe(text);
    },
  );

  it('profile names and servers from a hand-edited file reach the terminal without their control characters', async () => {
    const { configDir } = tempHome();
    mkdirSync(configDir, { recursive: true });
    const file = {
      activeProfile: 'ok',
      profiles: { ok: { server: 'http://127.0.0.1:1/\u001b]52;c;aGk=\u0007' }, 'evil\u001b[2J': {} },
    };
    writeFileSync(configFile(configDir), JSON.stringify(file), { mode: 0o600 });
    const list = await runCli(['profile', 'list'], { env: cliEnv(configDir) });
    expect(list.code).toBe(0);
    expect(everything(list)).not.toContain('\u001b');
    expect(everything(list)).not.toContain('\u0007');
    expect(list.stdout).toContain('evil');
    const names = await runCli(['profile', 'list', '-o', 'name'], { env: cliEnv(configDir) });
    // Only names a shell completion can offer as they are.
    expect(names.stdout).toBe('ok\n');
  });

  it("a hand-edited file's active profile name and a profile that becomes active reach the terminal without their control characters", async () => {
    const { configDir } = tempHome();
    mkdirSync(configDir, { recursive: true });
    const hostile = 'x\u001b]0;owned\u0007\u001b[2J';
    const write = (file: object) =>
      writeFileSync(configFile(configDir), JSON.stringify(file), { mode: 0o600 });
    const env = cliEnv(configDir);
    write({ activeProfile: hostile, profiles: { ok: {} } });
    const results = [await runCli(['profile', 'list'], { env }), await runCli(['logout'], { env })];
    write({ activeProfile: 'ok', profiles: { ok: {}, [hostile]: {} } });
    results.push(await runCli(['profile', 'remove', 'ok'], { env }));
    for (const result of results) {
      expect(result.code, result.stderr).toBe(0);
      expect(everything(result)).toContain('x');
      expect(everything(result)).not.toContain('\u001b');
      expect(everything(result)).not.toContain('\u0007');
    }
  });

  it('a lock left by a process that died (kill -9 mid-change) is taken over; one held by a live process is waited for', async () => {
    const configDir = await profiles('staging');
    const env = cliEnv(configDir);
    const lock = `${configFile(configDir)}.lock`;
    const dead = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {
      encoding: 'utf8',
    });
    writeFileSync(lock, `${dead.stdout}\n`, { mode: 0o600 });
    const use = await runCli(['profile', 'use', 'default'], { env });
    expect(use.code, use.stderr).toBe(0);
    expect(readConfig(configDir).activeProfile).toBe('default');
    expect(existsSync(lock)).toBe(false);

    // A live holder that lets go after a moment: the change waits for it, then lands.
    const holder = spawn(process.execPath, ['-e', 'setTimeout(() => {}, 1500)']);
    writeFileSync(lock, `${holder.pid}\n`, { mode: 0o600 });
    holder.on('exit', () => rmSync(lock, { force: true }));
    const waited = await runCli(['profile', 'use', 'staging'], { env });
    expect(waited.code, waited.stderr).toBe(0);
    expect(readConfig(configDir).activeProfile).toBe('staging');
    expect(readdirSync(configDir)).toEqual(['config.json']);
  });

  it('concurrent logins into different profiles and profile use lose no profile; the file stays 0600 and whole', async () => {
    const { configDir } = tempHome();
    expect((await login(configDir)).code).toBe(0);
    const env = cliEnv(configDir);
    const names = ['p1', 'p2', 'p3', 'p4', 'p5', 'p6'];
    const results = await Promise.all([
      ...names.map((name) => login(configDir, name)),
      ...names.map(() => runCli(['profile', 'use', 'default'], { env })),
    ]);
    for (const result of results) expect(result.code, result.stderr).toBe(0);
    const config = readConfig(configDir);
    expect(Object.keys(config.profiles).sort()).toEqual(['default', ...names]);
    for (const name of names) expect(config.profiles[name]?.token).toBe(owner);
    expect(statSync(configFile(configDir)).mode & 0o777).toBe(0o600);
    expect(readdirSync(configDir)).toEqual(['config.json']);
  });
});
