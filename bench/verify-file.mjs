#!/usr/bin/env node
// `node bench/verify-file.mjs [--events N]`: how fast `audit verify FILE` checks an NDJSON export
// against its proof, offline. A log of N events is made in memory (salts, leaves, a signed
// checkpoint), exported as the exporter writes NDJSON, its proof written by the exporter's own
// writer; then the built CLI verifies it with --key. Build first (npm run build).
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createWriteStream, mkdtempSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const dist = (path) => import(join(ROOT, 'dist', path));
const [{ formatCheckpoint }, { leafHash }, leaf, { createRootBuilder }, { generateNoteKey, parseSignerKey, signNote }, { writeExportProof }, { stringifyJsonSafely }] =
  await Promise.all([
    dist('domain/checkpoint.js'),
    dist('domain/merkle/hashes.js'),
    dist('domain/merkle/leaf.js'),
    dist('domain/merkle/root-builder.js'),
    dist('domain/signed-note.js'),
    dist('export/proof/write-proof.js'),
    dist('format/sanitize.js'),
  ]);

const eventsArg = process.argv.indexOf('--events');
const N = eventsArg === -1 ? 1_000_000 : Number(process.argv[eventsArg + 1]);
const dir = mkdtempSync(join(tmpdir(), 'audit-verify-bench-'));
const file = join(dir, 'audit-logs.ndjson');

function event(n) {
  return {
    id: `01HZZ${String(n).padStart(21, '0')}`,
    timestamp: new Date(Date.UTC(2024, 0, 1) + n * 1000).toISOString(),
    category: n % 4 === 0 ? 'security' : 'tunnel',
    action: n % 4 === 0 ? 'user.login' : 'tunnel.deleted',
    description: n % 3 === 0 ? `Deleted tunnel api-${n}, "prod"` : null,
    actor: { id: `user_${n % 50}`, name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
    target: { type: 'tunnel', id: `tunnel_${n}`, name: `api-${n}.example.net` },
    context: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0 (X11; Linux x86_64)', team_id: 'team_1', team_name: 'Eng' },
    changes: n % 5 === 0 ? { role: { old: 'member', new: 'admin' } } : null,
    metadata: { n, region: 'eu-west-1' },
  };
}

let started = performance.now();
const key = generateNoteKey('bench.example');
const root = createRootBuilder();
const entries = new Array(N);
const out = createWriteStream(file);
let chunk = '';
for (let n = 0; n < N; n++) {
  const e = event(n);
  const salt = randomBytes(32);
  root.push(leafHash(leaf.leafBytes(e, leaf.commitmentOf(salt, leaf.leafFields(e)))));
  entries[n] = [n, salt.toString('base64')];
  chunk += `${stringifyJsonSafely(e)}\n`;
  if (chunk.length > 1 << 20) {
    if (!out.write(chunk)) await new Promise((resolve) => out.once('drain', resolve));
    chunk = '';
  }
}
out.end(chunk);
await new Promise((resolve) => out.once('finish', resolve));
const checkpoint = signNote(
  formatCheckpoint({ origin: 'bench.example/acme', size: N, root: root.root(), extensions: [] }),
  parseSignerKey(key.signerKey),
);
console.error(`made ${N} events in ${((performance.now() - started) / 1000).toFixed(1)} s`);

started = performance.now();
await writeExportProof({
  file,
  content: 'ndjson',
  filters: {},
  key: key.verifierKey,
  answer: { tree_size: N, checkpoint, entries, others: [], nodes: [] },
});
const writeSeconds = (performance.now() - started) / 1000;

// Timed by the shell's `times`, so a loaded machine's waiting shows apart from the work done.
started = performance.now();
const run = spawnSync(
  'bash',
  ['-c', 'node "$0" verify "$1" --key "$2"; code=$?; times >&2; exit $code', join(ROOT, 'bin', 'audit.js'), file, key.verifierKey],
  { encoding: 'utf8', env: { ...process.env, AUDIT_SERVER: 'http://127.0.0.1:9', NO_COLOR: '1' } },
);
const verifySeconds = (performance.now() - started) / 1000;
// `times`: the shell's own user/system, then its children's (the CLI's).
const [, childTimes = ''] = run.stderr.trim().split('\n').slice(-2);
const cpuSeconds = childTimes
  .split(/\s+/)
  .map((part) => /^(\d+)m([\d.]+)s$/.exec(part))
  .filter(Boolean)
  .reduce((sum, match) => sum + Number(match[1]) * 60 + Number(match[2]), 0);
const size = statSync(file).size;
console.log(run.stdout.trim());
if (run.status !== 0) console.error(run.stderr);
console.log(
  `audit verify FILE: ${N} events (${(size / 1e6).toFixed(0)} MB NDJSON) in ${verifySeconds.toFixed(2)} s wall = ${Math.round(N / verifySeconds)} events/s; ${cpuSeconds.toFixed(2)} s of CPU (user + system) = ${Math.round(N / cpuSeconds)} events/s per CPU second (exit ${run.status}); writing the proof (export side) took ${writeSeconds.toFixed(2)} s`,
);
if (process.argv.includes('--keep')) console.log(`kept ${file} and its proof; key ${key.verifierKey}`);
else rmSync(dir, { recursive: true, force: true });
