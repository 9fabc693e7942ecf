import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const BIN = fileURLToPath(new URL('../../bin/audit.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp home for one test: its own config dir and database file. */
export function tempHome() {
  const dir = mkdtempSync(join(tmpdir(), 'audit-e2e-'));
  return { dir, configDir: join(dir, 'config'), dbFile: join(dir, 'audit.db') };
}

/** The environment the CLI sees: nothing of the developer's own AUDIT_* settings. */
export function cliEnv(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AUDIT_')));
  return { ...env, AUDIT_CONFIG_DIR: configDir, NO_COLOR: '1', ...extra };
}

/** Runs the built CLI to completion. */
export function runCli(
  args: string[],
  options: { env: NodeJS.ProcessEnv; input?: string },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env, stdio: 'pipe' });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
    });
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
    child.stdin.end(options.input ?? '');
  });
}

export interface SpawnedServer {
  process: ChildProcess;
  url: string;
  stdout: () => string;
  stderr: () => string;
  /** The owner token printed on first start, if this start created the database. */
  token: string | undefined;
  stop(signal?: NodeJS.Signals): Promise<number | null>;
}

/** `audit server start --port 0`, resolved once it prints its Listening line. */
export function startServerProcess(
  args: string[],
  env: NodeJS.ProcessEnv,
  timeoutMs = 20_000,
): Promise<SpawnedServer> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, 'server', 'start', '--port', '0', ...args], {
      env,
      stdio: 'pipe',
    });
    let stdout = '';
    let stderr = '';
    const exited = new Promise<number | null>((done) => child.on('exit', (code) => done(code)));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`server did not start: ${stderr}`));
    }, timeoutMs);
    child.stderr.on('data', (chunk) => {
      stderr += chunk;
    });
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      const listening = /^Listening on (http:\/\/\S+)$/m.exec(stdout);
      if (!listening) return;
      clearTimeout(timer);
      resolve({
        process: child,
        url: listening[1] as string,
        stdout: () => stdout,
        stderr: () => stderr,
        token: /^\s+(adt_\w+)$/m.exec(stdout)?.[1],
        stop(signal = 'SIGTERM') {
          child.kill(signal);
          return exited;
        },
      });
    });
    child.on('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}: ${stderr}`));
    });
  });
}
