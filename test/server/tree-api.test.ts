import { afterEach, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/domain/checkpoint.js';
import { keyFingerprint } from '../../src/domain/key-fingerprint.js';
import { verifyConsistency, verifyInclusion } from '../../src/domain/merkle/verify.js';
import { openNote, parseVerifierKey } from '../../src/domain/signed-note.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

const BASE = '/api/v1/organizations/default/audit-logs';

let fixture: Fixture | undefined;
afterEach(async () => {
  await fixture?.close();
  fixture = undefined;
});

const login = (n: number) => ({
  action: 'user.login',
  actor: { email: `u${n}@example.com` },
  description: `login ${n}`,
});
const logins = (from: number, count: number) => Array.from({ length: count }, (_, i) => login(from + i));

/** A fixture whose checkpoints are signed as soon as events are sealed. */
async function sealedFixture(): Promise<Fixture> {
  fixture = await createFixture({ checkpointIntervalMs: 1 });
  return fixture;
}

async function settle(f: Fixture): Promise<void> {
  // The interval is 1 ms: wait past it so the next settle signs what grew.
  await new Promise((resolve) => setTimeout(resolve, 5));
  await f.app.services.sealer.settle();
}

const b64 = (text: string) => Buffer.from(text, 'base64');

async function getJson(f: Fixture, url: string, token?: string) {
  const response = await f.request({ method: 'GET', url, ...(token ? { token } : {}) });
  if (response.statusCode !== 200) throw new Error(`${url}: ${response.statusCode} ${response.body}`);
  return response.json();
}

async function treeOf(f: Fixture) {
  return (await getJson(f, `${BASE}/tree`)).data as {
    origin: string;
    key: { name: string; verifier_key: string; fingerprint: string };
    sealed_size: number;
    checkpoint: { size: number; root: string; signed_at: string; note: string } | null;
  };
}

describe('the tree API', () => {
  it('answers 404 no-checkpoint before any is signed, then the latest signed note as text/plain', async () => {
    const f = await sealedFixture();
    const before = await f.request({ method: 'GET', url: `${BASE}/checkpoint` });
    expect(before.statusCode).toBe(404);
    expect(before.json().type).toBe('https://audit.dev/problems/no-checkpoint');

    await f.ingest(logins(1, 3));
    await settle(f);
    const response = await f.request({ method: 'GET', url: `${BASE}/checkpoint` });
    expect(response.statusCode).toBe(200);
    expect(response.headers['content-type']).toBe('text/plain; charset=utf-8');
    const opened = openNote(response.body, [parseVerifierKey(f.app.services.logKey.verifierKey)]);
    const checkpoint = parseCheckpoint(opened.text);
    expect(checkpoint.origin).toBe(`${f.app.services.logKey.name}/default`);
    expect(checkpoint.size).toBeGreaterThanOrEqual(3);
  });

  it('describes the tree: origin, the key with its ssh-style fingerprint, sealed size and latest checkpoint', async () => {
    const f = await sealedFixture();
    expect((await treeOf(f)).checkpoint).toBeNull();
    await f.ingest(logins(1, 2));
    await settle(f);
    const tree = await treeOf(f);
    const verifier = parseVerifierKey(tree.key.verifier_key);
    expect(tree.key.verifier_key).toBe(f.app.services.logKey.verifierKey);
    expect(tree.key.fingerprint).toBe(keyFingerprint(verifier.publicKey));
    expect(tree.key.fingerprint).toMatch(/^SHA256:[A-Za-z0-9+/]{43}$/);
    expect(tree.origin).toBe(`${tree.key.name}/default`);
    expect(tree.checkpoint).not.toBeNull();
    const note = parseCheckpoint(openNote(tree.checkpoint?.note ?? '', [verifier]).text);
    expect(tree.checkpoint?.size).toBe(note.size);
    expect(b64(tree.checkpoint?.root ?? '')).toEqual(note.root);
    expect(tree.sealed_size).toBeGreaterThanOrEqual(note.size);
    expect(Number.isNaN(Date.parse(tree.checkpoint?.signed_at ?? ''))).toBe(false);
  });

  it("gives an event's inclusion proof that verifies against the checkpoint's root", async () => {
    const f = await sealedFixture();
    const stored = await f.ingest(logins(1, 7));
    await settle(f);
    const tree = await treeOf(f);
    const root = b64(tree.checkpoint?.root ?? '');
    const size = tree.checkpoint?.size ?? 0;
    for (const { id } of stored) {
      const proof = (await getJson(f, `${BASE}/tree/inclusion?event_id=${id}`)).data;
      expect(proof.event_id).toBe(id);
      expect(proof.tree_size).toBe(size);
      const hashes = proof.hashes.map(b64);
      expect(verifyInclusion(proof.position, size, b64(proof.leaf_hash), hashes, root)).toBe(true);
      // The same proof does not verify for another leaf: the check can fail.
      expect(verifyInclusion((proof.position + 1) % size, size, b64(proof.leaf_hash), hashes, root)).toBe(
        false,
      );
    }
  });

  it('proves consistency between two checkpoints', async () => {
    const f = await sealedFixture();
    await f.ingest(logins(1, 5));
    await settle(f);
    const older = (await treeOf(f)).checkpoint;
    await f.ingest(logins(6, 9));
    await settle(f);
    const newer = (await treeOf(f)).checkpoint;
    if (!older || !newer) throw new Error('no checkpoints');
    expect(newer.size).toBeGreaterThan(older.size);
    const proof = (await getJson(f, `${BASE}/tree/consistency?first=${older.size}&second=${newer.size}`))
      .data;
    expect(proof).toMatchObject({ first: older.size, second: newer.size });
    const hashes = proof.hashes.map(b64);
    expect(verifyConsistency(older.size, newer.size, b64(older.root), b64(newer.root), hashes)).toBe(true);
    expect(verifyConsistency(older.size, newer.size, b64(newer.root), b64(older.root), hashes)).toBe(false);
  });

  it('lists leaves with their events as the list API shows them', async () => {
    const f = await sealedFixture();
    const stored = await f.ingest(logins(1, 4));
    await settle(f);
    const size = (await treeOf(f)).sealed_size;
    const answer = await getJson(f, `${BASE}/tree/leaves?start=0&end=${size}`);
    expect(answer.unsealed).toEqual([]);
    expect(answer.data.map((leaf: { position: number }) => leaf.position)).toEqual([...Array(size).keys()]);
    for (const { id } of stored) {
      const leaf = answer.data.find((candidate: { event_id: string }) => candidate.event_id === id);
      expect(leaf).toMatchObject({ event_id: id, category: 'auth' });
      expect(leaf.event).toEqual((await getJson(f, `${BASE}/${id}`)).data);
      expect(b64(leaf.salt)).toHaveLength(32);
      expect(b64(leaf.commitment)).toHaveLength(32);
      expect(b64(leaf.hash)).toHaveLength(32);
    }
  });
});
