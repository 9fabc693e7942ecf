import { mkdirSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { EXIT } from '../../src/cli/errors.js';
import { formatCheckpoint } from '../../src/domain/checkpoint.js';
import { keyFingerprint } from '../../src/domain/key-fingerprint.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { consistencyProof, rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { generateNoteKey, parseSignerKey, parseVerifierKey, signNote } from '../../src/domain/signed-note.js';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, expectOneErrorLine, runCli, tempHome } from '../helpers/cli.js';

/**
 * `audit verify` against a server that lies: the answers are made here, with real keys, notes
 * and proofs, so each lie is exactly one thing.
 */
const TOKEN = generateToken();
const KEY = generateNoteKey('audit.example');
const SIGNER = parseSignerKey(KEY.signerKey);
const ORIGIN = 'audit.example/default';
const LEAVES = Array.from({ length: 64 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const HONEST = inMemorySubtrees(LEAVES);

interface Lies {
  origin?: string;
  verifierKey?: string;
  size: number;
  /** The tree the checkpoint's root and the proofs come from. */
  perfect?: typeof HONEST;
  signer?: typeof SIGNER;
  checkpointOrigin?: string;
}

let server: Server | undefined;
afterEach(() => new Promise<void>((resolve) => (server ? server.close(() => resolve()) : resolve())));

async function lyingServer(lies: () => Lies): Promise<string> {
  server = createServer((request, response) => {
    const now = lies();
    const perfect = now.perfect ?? HONEST;
    const url = new URL(request.url ?? '/', 'http://x');
    const path = url.pathname.replace('/api/v1/organizations/default/audit-logs', '');
    const note = signNote(
      formatCheckpoint({
        origin: now.checkpointOrigin ?? ORIGIN,
        size: now.size,
        root: rootAt(now.size, perfect),
        extensions: ['time 2026-12-06T09:00:00.000Z'],
      }),
      now.signer ?? SIGNER,
    );
    const json = (body: unknown) => {
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(body));
    };
    if (path === '/checkpoint') {
      response.writeHead(200, { 'content-type': 'text/plain; charset=utf-8' });
      response.end(note);
    } else if (path === '/tree') {
      const verifierKey = now.verifierKey ?? KEY.verifierKey;
      json({
        data: {
          origin: now.origin ?? ORIGIN,
          key: {
            name: 'audit.example',
            verifier_key: verifierKey,
            fingerprint: 'SHA256:whatever-the-server-says',
          },
          sealed_size: now.size,
          checkpoint: null,
        },
      });
    } else if (path === '/tree/consistency') {
      const [first, second] = [Number(url.searchParams.get('first')), Number(url.searchParams.get('second'))];
      json({
        data: {
          first,
          second,
          hashes: consistencyProof(first, second, perfect).map((h) => h.toString('base64')),
        },
      });
    } else {
      response.writeHead(404, { 'content-type': 'application/problem+json' });
      response.end(JSON.stringify({ type: 'about:blank', title: 'Not Found', status: 404 }));
    }
  });
  await new Promise<void>((resolve) => server?.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  return `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
}

function verifier(url: string) {
  const home = tempHome();
  const env = cliEnv(home.configDir, { AUDIT_SERVER: url, AUDIT_TOKEN: TOKEN, AUDIT_ORG: 'default' });
  return (args: string[] = []) => runCli(['verify', ...args], { env });
}

describe('audit verify against a lying server', () => {
  it('a checkpoint signed by a key other than the pinned one (a forger without the server key) is exit 3', async () => {
    let lies: Lies = { size: 10 };
    const verify = verifier(await lyingServer(() => lies));
    expect((await verify()).code).toBe(EXIT.ok);
    const forger = parseSignerKey(generateNoteKey('audit.example').signerKey);
    lies = { size: 12, signer: forger };
    const forged = await verify();
    expect(forged.code).toBe(EXIT.tampered);
    expect(forged.stderr).toMatch(
      /^audit: tampered: the server's checkpoint does not verify with the pinned key SHA256:/,
    );
  });

  it("a validly signed checkpoint of another organization's log is exit 3, not a pass", async () => {
    const verify = verifier(await lyingServer(() => ({ size: 10, checkpointOrigin: 'audit.example/other' })));
    const answer = await verify(['-o', 'json']);
    expect(answer.code).toBe(EXIT.tampered);
    expect(JSON.parse(answer.stdout).problems[0]).toMatchObject({ kind: 'wrong-origin' });
  });

  it("a server lying from the first run, naming another organization's log as this one's, is exit 3", async () => {
    const other = 'audit.example/other';
    const verify = verifier(await lyingServer(() => ({ size: 10, origin: other, checkpointOrigin: other })));
    const answer = await verify(['-o', 'json']);
    expect(answer.code).toBe(EXIT.tampered);
    expect(JSON.parse(answer.stdout).problems[0]).toMatchObject({ kind: 'wrong-origin' });
  });

  it('a server that shows a smaller log than this profile saw is a rollback, and the profile keeps the bigger one', async () => {
    let lies: Lies = { size: 40 };
    const verify = verifier(await lyingServer(() => lies));
    expect((await verify()).code).toBe(EXIT.ok);
    lies = { size: 30 };
    expect((await verify()).stderr).toMatch(
      /rolled back: the log has 30 events, but this profile \(default\) saw 40 events/,
    );
    // Nothing learned from a failed run: the same lie fails again.
    expect((await verify()).code).toBe(EXIT.tampered);
    lies = { size: 40 };
    expect((await verify()).code).toBe(EXIT.ok);
  });

  it('a longer log whose earlier part was rewritten (a fork) fails the consistency proof: exit 3', async () => {
    let lies: Lies = { size: 20 };
    const verify = verifier(await lyingServer(() => lies));
    expect((await verify()).code).toBe(EXIT.ok);
    const forked = inMemorySubtrees(
      LEAVES.map((leaf, i) => (i === 5 ? leafHash(Buffer.from('edited')) : leaf)),
    );
    lies = { size: 50, perfect: forked };
    const fork = await verify();
    expect(fork.code).toBe(EXIT.tampered);
    expect(fork.stdout).toMatch(
      /^TAMPERED: history rewritten: the log of 50 events does not extend the 20 events/m,
    );
  });

  it("prints the key's fingerprint as computed here, never the one the server claims", async () => {
    const verify = verifier(await lyingServer(() => ({ size: 3 })));
    const answer = await verify();
    expect(answer.code).toBe(EXIT.ok);
    expect(answer.stdout).toContain(keyFingerprint(parseVerifierKey(KEY.verifierKey).publicKey));
    expect(answer.stdout).not.toContain('whatever-the-server-says');
  });

  it('terminal escapes in what the server names (its origin) reach the screen inert', async () => {
    const verify = verifier(
      await lyingServer(() => ({ size: 3, origin: 'audit.example/default\u001b]8;;http://evil\u0007' })),
    );
    const answer = await verify();
    expect(answer.code).toBe(EXIT.tampered);
    const shown = answer.stdout + answer.stderr;
    expect(shown).toContain('audit.example/default');
    for (const control of ['\u001b', '\u0007']) expect(shown).not.toContain(control);
  });

  it('a saved-checkpoints file edited into garbage is a one-line exit 2 naming it, never a crash or a pass', async () => {
    const url = await lyingServer(() => ({ size: 5 }));
    const home = tempHome();
    const env = cliEnv(home.configDir, { AUDIT_SERVER: url, AUDIT_TOKEN: TOKEN, AUDIT_ORG: 'default' });
    const dir = join(home.dir, 'witness');
    mkdirSync(dir);
    const file = join(dir, `127.0.0.1_${new URL(url).port}-default.checkpoints`);
    writeFileSync(file, 'not a checkpoint\n\n— nobody AAAA\n');
    const answer = await runCli(['verify', '--save-checkpoint', dir], { env });
    expect(answer.code).toBe(EXIT.usage);
    expectOneErrorLine(answer);
    expect(answer.stderr).toContain(`the last checkpoint saved in ${file} cannot be read`);
  });

  it('--save-checkpoint at a path that is a file, not a directory, is a one-line exit 2, not a crash', async () => {
    const url = await lyingServer(() => ({ size: 5 }));
    const home = tempHome();
    const env = cliEnv(home.configDir, { AUDIT_SERVER: url, AUDIT_TOKEN: TOKEN, AUDIT_ORG: 'default' });
    const notADir = join(home.dir, 'plain-file');
    writeFileSync(notADir, 'x');
    const answer = await runCli(['verify', '--save-checkpoint', notADir], { env });
    expect(answer.code).toBe(EXIT.usage);
    expectOneErrorLine(answer);
    expect(answer.stderr).toMatch(/^audit: cannot (read|write) the saved checkpoints .*plain-file/);
  });
});
