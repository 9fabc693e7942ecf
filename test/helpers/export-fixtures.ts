/** Shared by the export and backup end-to-end tests: sample events, file readers, a spawned CLI. */
import { type ChildProcess, spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { gunzipSync } from 'node:zlib';
import { parse as parseCsv } from 'csv-parse/sync';
import type { AuditEvent, EventInput } from '../../src/domain/event.js';
import { BIN, type CliResult } from './cli.js';

const ACTORS = [
  { id: 'user_alice', name: 'Alice Chen', email: 'alice@example.com', type: 'user' as const },
  { id: 'user_evil', name: '=cmd()', email: '@evil.example', type: 'user' as const },
  { id: 'user_bob', name: 'Bob "Bobby" Stone, Jr.', email: 'bob@example.com', type: 'user' as const },
  { id: 'tok_ci', name: '+ci-bot', type: 'api_token' as const },
];
const ACTIONS = ['user.login', 'tunnel.deleted', 'team.member_role_changed', 'billing.payment_failed'];

/**
 * `count` events spread over [from, to), three to a timestamp (ties cross page boundaries), with
 * the content a CSV must survive: commas, quotes, newlines, formula triggers, unicode, JSON.
 */
export function sampleEvents(count: number, from: string, to: string): EventInput[] {
  const start = Date.parse(from);
  const slots = Math.ceil(count / 3);
  const step = Math.floor((Date.parse(to) - start) / slots);
  return Array.from({ length: count }, (_, n) => {
    const actor = ACTORS[n % ACTORS.length];
    return {
      action: ACTIONS[n % ACTIONS.length] as string,
      timestamp: new Date(start + Math.floor(n / 3) * step).toISOString(),
      actor,
      ...(n % 5 === 0 ? { description: `line one, "quoted"\nline two #${n} — ünïcödé` } : {}),
      ...(n % 2 === 0
        ? { target: { type: 'tunnel', id: `tunnel_${n}`, name: `-api-${n}.example.net` } }
        : {}),
      ...(n % 3 === 0
        ? {
            context: {
              ip_address: '203.0.113.7',
              user_agent: 'Mozilla/5.0, "x"',
              team_id: 'team_1',
              team_name: 'Eng',
            },
          }
        : {}),
      ...(n % 4 === 0 ? { changes: { role: { old: 'member', new: 'admin' } } } : {}),
      metadata: { n, note: n % 7 === 0 ? 'tab\there, comma, "quote"' : 'plain' },
    };
  });
}

/** The SPEC's CSV row of an event, written independently of the exporter. */
export function expectedCsvRecord(event: AuditEvent): Record<string, string> {
  const text = (value: string | null | undefined) => value ?? '';
  const json = (value: object | null) => (value === null ? '' : JSON.stringify(value));
  const raw: Record<string, string> = {
    id: event.id,
    timestamp: event.timestamp,
    category: event.category,
    action: event.action,
    description: text(event.description),
    actor_id: text(event.actor?.id),
    actor_name: text(event.actor?.name),
    actor_email: text(event.actor?.email),
    actor_type: text(event.actor?.type),
    target_type: text(event.target?.type),
    target_id: text(event.target?.id),
    target_name: text(event.target?.name),
    ip_address: text(event.context?.ip_address),
    user_agent: text(event.context?.user_agent),
    team_id: text(event.context?.team_id),
    team_name: text(event.context?.team_name),
    changes: json(event.changes),
    metadata: json(event.metadata),
  };
  return Object.fromEntries(
    Object.entries(raw).map(([key, value]) => [key, /^[=+\-@\t\r]/.test(value) ? `'${value}` : value]),
  );
}

export function readExportText(path: string): string {
  const bytes = readFileSync(path);
  return (path.endsWith('.gz') ? gunzipSync(bytes) : bytes).toString('utf8');
}

/** The events of a JSON or NDJSON export (gzipped or not). */
export function readEvents(path: string): AuditEvent[] {
  const text = readExportText(path);
  if (/\.json(\.gz)?$/.test(path)) return JSON.parse(text) as AuditEvent[];
  return text
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as AuditEvent);
}

export function readCsvRecords(text: string): Record<string, string>[] {
  return parseCsv(text, { columns: true }) as Record<string, string>[];
}

export interface RunningCli {
  child: ChildProcess;
  stderr(): string;
  done: Promise<CliResult>;
}

/** The built CLI, started and left running (for signals); `done` settles when it exits. */
export function startCli(
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd?: string,
  options: { input?: string } = {},
): RunningCli {
  const child = spawn(process.execPath, [BIN, ...args], { env, cwd, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end(options.input ?? '');
  const done = new Promise<CliResult>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
  return { child, stderr: () => stderr, done };
}

/** Runs a command line the CLI printed (`audit export … --cursor C`) through sh, `audit` being the built CLI. */
export function runPrintedCommand(line: string, env: NodeJS.ProcessEnv, cwd?: string): Promise<CliResult> {
  const command = line.replace(/^audit /, `'${process.execPath}' '${BIN}' `);
  const child = spawn('/bin/sh', ['-c', command], { env, cwd, stdio: 'pipe' });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8');
  child.stdout.on('data', (chunk: string) => {
    stdout += chunk;
  });
  child.stderr.setEncoding('utf8');
  child.stderr.on('data', (chunk: string) => {
    stderr += chunk;
  });
  child.stdin.end();
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

export async function waitFor(condition: () => boolean, timeoutMs = 15_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('timed out waiting for a condition');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}
