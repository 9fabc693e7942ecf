import { type ChildProcess, spawn } from 'node:child_process';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'vitest';
import { tempDir } from './temp-dir.js';

export const BIN = fileURLToPath(new URL('../../bin/audit.js', import.meta.url));

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** A temp home for one test: its own config dir and database file, removed after the test file. */
export function tempHome() {
  const dir = tempDir('e2e');
  return { dir, configDir: join(dir, 'config'), dbFile: join(dir, 'audit.db') };
}

/** The environment the CLI sees: nothing of the developer's own AUDIT_* settings. */
export function cliEnv(configDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env = Object.fromEntries(Object.entries(process.env).filter(([key]) => !key.startsWith('AUDIT_')));
  return { ...env, AUDIT_CONFIG_DIR: configDir, NO_COLOR: '1', ...extra };
}

/** How long runCli's `stopAfterLines` waits, after the last line it waits for, for one too many. */
const STOP_GRACE_MS = 500;

/** Runs the built CLI to completion. */
export function runCli(
  args: string[],
  /**
   * `killAfterMs`: a command that may never end is killed then (its code is null).
   * `stopAfterLines`: a command that follows (tail) is killed once it has printed that many
   * lines, STOP_GRACE_MS later, so that a line too many still shows in its output.
   */
  options: { env: NodeJS.ProcessEnv; input?: string; killAfterMs?: number; stopAfterLines?: number },
): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env: options.env, stdio: 'pipe' });
    const timer =
      options.killAfterMs === undefined
        ? undefined
        : setTimeout(() => child.kill('SIGKILL'), options.killAfterMs);
    let stopping: NodeJS.Timeout | undefined;
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
      stdout += chunk;
      const lines = options.stopAfterLines;
      if (lines !== undefined && !stopping && stdout.split('\n').length > lines)
        stopping = setTimeout(() => child.kill('SIGKILL'), STOP_GRACE_MS);
    });
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      clearTimeout(stopping);
      resolve({ code, stdout, stderr });
    });
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
    child.stderr.setEncoding('utf8');
    child.stderr.on('data', (chunk: string) => {
      stderr += chunk;
    });
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk: string) => {
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

/** A local port that nothing listens on (it was free a moment ago). */
export async function closedPort(): Promise<number> {
  const { createServer } = await import('node:net');
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** POSTs events to a running server in batches of 1000; returns the stored events in order. */
export async function ingestEvents<T = { id: string }>(
  url: string,
  token: string,
  events: readonly object[],
): Promise<T[]> {
  const stored: T[] = [];
  for (let start = 0; start < events.length; start += 1000) {
    const response = await fetch(`${url}/api/v1/organizations/default/audit-logs`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ events: events.slice(start, start + 1000) }),
    });
    if (response.status !== 201)
      throw new Error(`ingest failed: ${response.status} ${await response.text()}`);
    stored.push(...((await response.json()) as { data: T[] }).data);
  }
  return stored;
}

/** Every event the list endpoint answers for `query` (a query string without `?`), following cursors. */
export async function fetchAllEvents<T = { id: string }>(
  url: string,
  token: string,
  query: string,
): Promise<T[]> {
  const events: T[] = [];
  let cursor: string | null = null;
  do {
    const params = new URLSearchParams(query);
    params.set('per_page', '1000');
    if (cursor) params.set('cursor', cursor);
    const response = await fetch(`${url}/api/v1/organizations/default/audit-logs?${params}`, {
      headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
    });
    if (response.status !== 200) throw new Error(`list failed: ${response.status} ${await response.text()}`);
    const page = (await response.json()) as { data: T[]; pagination: { next_cursor: string | null } };
    events.push(...page.data);
    cursor = page.pagination.next_cursor;
  } while (cursor);
  return events;
}

const STACK_TRACE = /\n\s+at /;

/** One line on stderr, no stack trace. */
export function expectOneErrorLine(result: CliResult) {
  expect(result.stderr.trim().split('\n')).toHaveLength(1);
  expect(result.stderr).not.toMatch(STACK_TRACE);
}
