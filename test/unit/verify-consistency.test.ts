import { randomBytes } from 'node:crypto';
import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { openKnownLogs } from '../../src/config/known-logs.js';
import { formatCheckpoint } from '../../src/domain/checkpoint.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { consistencyProof, rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { generateNoteKey, parseSignerKey, parseVerifierKey, signNote } from '../../src/domain/signed-note.js';
import { openCheckpoint, readVerifiedCheckpoint } from '../../src/verify/checkpoint-note.js';
import { checkConsistent } from '../../src/verify/consistency.js';
import { appendWitnessNote, readWitnessNotes, witnessFileName } from '../../src/verify/witness-file.js';
import { tempDir } from '../helpers/temp-dir.js';

const KEY = generateNoteKey('audit.test');
const signer = parseSignerKey(KEY.signerKey);
const verifier = parseVerifierKey(KEY.verifierKey);
const leaves = Array.from({ length: 40 }, (_, i) => leafHash(Buffer.from(`event ${i}`)));
const perfect = inMemorySubtrees(leaves);

function checkpointOf(size: number, root = rootAt(size, perfect), minute = size) {
  const time = new Date(Date.UTC(2026, 11, 6, 9, minute)).toISOString();
  const note = signNote(
    formatCheckpoint({ origin: 'audit.test/acme', size, root, extensions: [`time ${time}`] }),
    signer,
  );
  return openCheckpoint(note, verifier);
}

const honestProof = async (first: number, second: number) =>
  consistencyProof(first, second, perfect).map((hash) => hash.toString('base64'));

describe('audit verify: is the log the one seen before, only longer', () => {
  it('a log that grew passes with the consistency proof', async () => {
    await expect(
      checkConsistent(checkpointOf(7), checkpointOf(31), honestProof, 'this profile'),
    ).resolves.toBeUndefined();
    await expect(
      checkConsistent(checkpointOf(16), checkpointOf(16), honestProof, 'this profile'),
    ).resolves.toBeUndefined();
  });

  it('a server restored from an older copy of its database (smaller tree) is a rollback', async () => {
    await expect(
      checkConsistent(checkpointOf(31), checkpointOf(7), honestProof, 'this profile'),
    ).rejects.toMatchObject({
      problem: {
        kind: 'rolled-back',
        message: expect.stringMatching(/^rolled back: the log has 7 events, but this profile saw 31 events/),
      },
    });
  });

  it('the same size with another root is a rewritten history', async () => {
    await expect(
      checkConsistent(checkpointOf(12), checkpointOf(12, randomBytes(32)), honestProof, 'this profile'),
    ).rejects.toMatchObject({ problem: { kind: 'rewritten' } });
  });

  it('a longer log whose old part was rewritten fails its consistency proof, whatever proof the server sends', async () => {
    const forked = leaves.map((leaf, i) => (i === 3 ? leafHash(Buffer.from('edited')) : leaf));
    const forkedPerfect = inMemorySubtrees(forked);
    const current = checkpointOf(30, rootAt(30, forkedPerfect));
    for (const proof of [
      async (a: number, b: number) => consistencyProof(a, b, forkedPerfect).map((h) => h.toString('base64')),
      honestProof,
      async () => [] as string[],
      async () => ['not base64 at all', 42] as unknown as string[],
      async () => 'no list' as unknown as string[],
    ]) {
      await expect(checkConsistent(checkpointOf(10), current, proof, 'this profile')).rejects.toMatchObject({
        problem: { kind: 'rewritten' },
      });
    }
  });

  it('a saved note reads back as the checkpoint it was, without its key', () => {
    const seen = checkpointOf(9);
    expect(readVerifiedCheckpoint(seen.note)).toEqual(seen);
    expect(seen.signedAt).toBe('2026-12-06T09:09:00.000Z');
  });
});

describe('audit verify --save-checkpoint: the outside copy', () => {
  it('appends whole notes that read back in order, into a 0600 file in a 0700 directory it makes', () => {
    const dir = join(tempDir('witness'), 'new', 'dir');
    const file = join(dir, witnessFileName('http://127.0.0.1:7787', 'acme'));
    const notes = [checkpointOf(3).note, checkpointOf(8).note, checkpointOf(20).note];
    for (const note of notes) appendWitnessNote(dir, file, note);
    expect(readWitnessNotes(file)).toEqual(notes);
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
  });

  it('a hostile server URL or organization cannot steer the file out of DIR', () => {
    expect(witnessFileName('http://127.0.0.1:7787', 'acme')).toBe('127.0.0.1_7787-acme.checkpoints');
    expect(witnessFileName('https://audit.example.com', 'acme')).toBe('audit.example.com-acme.checkpoints');
    for (const org of ['../../etc/passwd', '..', '/abs', 'a\nb', 'a/../../b']) {
      const name = witnessFileName('http://h', org);
      expect(name).not.toMatch(/[/\\\n]/);
      expect(name.startsWith('.')).toBe(false);
    }
  });
});

describe('the pinned key and last checkpoint of each organization, per profile', () => {
  it('are kept in known-logs.json (0600) beside the profiles, one entry per profile and organization', () => {
    const dir = tempDir('known');
    const known = openKnownLogs(dir);
    expect(known.get('default', 'acme')).toBeUndefined();
    const entry = {
      verifier_key: KEY.verifierKey,
      fingerprint: 'SHA256:x',
      pinned_at: '2026-12-06T09:00:00.000Z',
    };
    known.update('default', 'acme', () => entry);
    known.update('staging', '__proto__', () => ({ ...entry, checkpoint: checkpointOf(2).note }));
    expect(known.get('default', 'acme')).toEqual(entry);
    expect(known.get('staging', '__proto__')?.checkpoint).toBe(checkpointOf(2).note);
    expect(known.get('default', 'constructor')).toBeUndefined();
    expect(statSync(known.path).mode & 0o777).toBe(0o600);
  });

  it('an entry edited into another shape reads as no pin, never as a different key', () => {
    const dir = tempDir('known');
    const known = openKnownLogs(dir);
    writeFileSync(known.path, JSON.stringify({ profiles: { default: { acme: { verifier_key: 42 } } } }), {
      mode: 0o600,
    });
    expect(known.get('default', 'acme')).toBeUndefined();
    expect(JSON.parse(readFileSync(known.path, 'utf8')).profiles.default.acme.verifier_key).toBe(42);
  });
});
