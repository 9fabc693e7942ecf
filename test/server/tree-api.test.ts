import { afterEach, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/domain/checkpoint.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { keyFingerprint } from '../../src/domain/key-fingerprint.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { commitmentOf, eventLeafHash, leafBytes, leafFields } from '../../src/domain/merkle/leaf.js';
import { rootFromRange } from '../../src/domain/merkle/range-proof.js';
import { verifyConsistency, verifyInclusion } from '../../src/domain/merkle/verify.js';
import { openNote, parseVerifierKey } from '../../src/domain/signed-note.js';
import { committedFields } from '../../src/verify/leaf-fields.js';
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

  it('lists leaves as rows: the leaf, and the 18 fields its commitment covers as the list API shows the event', async () => {
    const f = await sealedFixture();
    const stored = await f.ingest(logins(1, 4));
    await settle(f);
    const size = (await treeOf(f)).sealed_size;
    const answer = await getJson(f, `${BASE}/tree/leaves?start=0&end=${size}`);
    expect(answer.unsealed).toEqual([]);
    expect(answer.data.map((row: unknown[]) => row[0])).toEqual([...Array(size).keys()]);
    for (const { id } of stored) {
      const row = answer.data.find((candidate: unknown[]) => candidate[2] === id);
      const [, hash, , timestamp, category, commitment, salt, fields] = row;
      const event = (await getJson(f, `${BASE}/${id}`)).data as AuditEvent;
      expect([timestamp, category]).toEqual([event.timestamp, 'auth']);
      expect(committedFields(fields)?.fields).toEqual(leafFields(event));
      expect([hash, commitment, salt].map((bytes) => Buffer.from(bytes, 'hex'))).toEqual([
        eventLeafHash(event, Buffer.from(salt, 'hex')),
        commitmentOf(Buffer.from(salt, 'hex'), leafFields(event)),
        Buffer.from(salt, 'hex'),
      ]);
      expect(salt).toMatch(/^[0-9a-f]{64}$/);
    }
  });
});

describe('the tree API in /openapi.json', () => {
  it('describes every tree route with its operationId, the checkpoint as text/plain', async () => {
    const f = await sealedFixture();
    const document = (await f.app.inject({ method: 'GET', url: '/openapi.json' })).json();
    const operation = (path: string) => document.paths[`/api/v1/organizations/{org}/audit-logs${path}`]?.get;
    expect(
      ['/checkpoint', '/tree', '/tree/inclusion', '/tree/consistency', '/tree/leaves', '/tree/proof'].map(
        (path) => operation(path)?.operationId,
      ),
    ).toEqual([
      'getCheckpoint',
      'getTree',
      'getInclusionProof',
      'getConsistencyProof',
      'listTreeLeaves',
      'getExportProof',
    ]);
    expect(Object.keys(operation('/checkpoint').responses[200].content)).toEqual(['text/plain']);
    const listParameters = document.paths['/api/v1/organizations/{org}/audit-logs'].get.parameters;
    expect(listParameters.map((parameter: { name: string }) => parameter.name)).toContain('tree_size');
  });
});

describe('the tree API refuses what no tree holds', () => {
  it.each([
    ['leaves with start past end', 'tree/leaves?start=3&end=2', 'start'],
    ['leaves past the sealed size', 'tree/leaves?start=0&end=100000', 'end'],
    ['more than 10,000 leaves at once', 'tree/leaves?start=0&end=10001', 'end'],
    ['a negative start', 'tree/leaves?start=-1&end=2', 'start'],
    ['a start in hexadecimal', 'tree/leaves?start=0x1&end=2', 'start'],
    ['an end beyond 2^53', 'tree/leaves?start=0&end=99999999999999999999', 'end'],
    ['a consistency proof whose first is larger', 'tree/consistency?first=3&second=2', 'first'],
    ['a consistency proof past the sealed size', 'tree/consistency?first=1&second=100000', 'second'],
    ['a consistency proof of a fraction', 'tree/consistency?first=1.5&second=2', 'first'],
    ['an inclusion proof in a tree too big', 'tree/inclusion?event_id=x&tree_size=100000', 'tree_size'],
    ['a list filter tree_size too big', '?tree_size=100000', 'tree_size'],
    ['a list filter tree_size that is no number', '?tree_size=ten', 'tree_size'],
    ['a proof of a size no checkpoint has', 'tree/proof?tree_size=100000', 'tree_size'],
  ])('answers 400 for %s', async (_, path, param) => {
    const f = await sealedFixture();
    await f.ingest(logins(1, 3));
    await settle(f);
    const url = path.startsWith('?') ? `${BASE}${path}` : `${BASE}/${path}`;
    const response = await f.request({ method: 'GET', url });
    expect([response.statusCode, response.json().param]).toEqual([400, param]);
  });

  it('answers 404 for an inclusion proof of an event that is not in the tree of that size', async () => {
    const f = await sealedFixture();
    const [first] = await f.ingest([login(1)]);
    await settle(f);
    const size = (await treeOf(f)).sealed_size;
    const [later] = await f.ingest([login(2)]);
    await settle(f);
    const unknown = await f.request({ method: 'GET', url: `${BASE}/tree/inclusion?event_id=log_NOPE` });
    expect(unknown.statusCode).toBe(404);
    const tooEarly = await f.request({
      method: 'GET',
      url: `${BASE}/tree/inclusion?event_id=${later?.id}&tree_size=${size}`,
    });
    expect(tooEarly.statusCode).toBe(404);
    const inTree = await f.request({
      method: 'GET',
      url: `${BASE}/tree/inclusion?event_id=${first?.id}&tree_size=${size}`,
    });
    expect(inTree.statusCode).toBe(200);
  });
});

describe('the list filter tree_size', () => {
  it('lists exactly the events among the first N leaves', async () => {
    const f = await sealedFixture();
    const early = await f.ingest(logins(1, 3));
    await settle(f);
    const size = (await treeOf(f)).sealed_size;
    const late = await f.ingest(logins(4, 2));
    await settle(f);
    const ids = async (query: string) =>
      (await getJson(f, `${BASE}?action=user.login&per_page=100&${query}`)).data.map(
        (e: { id: string }) => e.id,
      );
    const within = await ids(`tree_size=${size}`);
    expect(within.sort()).toEqual(early.map((event) => event.id).sort());
    const all = await ids('');
    expect(all.sort()).toEqual([...early, ...late].map((event) => event.id).sort());
    expect(await ids('tree_size=0')).toEqual([]);
  });
});

describe('the export proof', () => {
  type Entry = [number, string | null, string?];
  type Other = [number, string, string, string, string];
  type Node = [number, number, string];

  async function proofRoot(f: Fixture, filters: string, treeSize: number) {
    const response = await f.request({
      method: 'GET',
      url: `${BASE}/tree/proof?tree_size=${treeSize}&${filters}`,
    });
    expect(response.statusCode).toBe(200);
    const proof = response.json().data as {
      tree_size: number;
      checkpoint: string;
      entries: Entry[];
      others: Other[];
      nodes: Node[];
    };
    // The export's rows, as `audit export` reads them: the list, oldest first.
    const rows: AuditEvent[] = (
      await getJson(f, `${BASE}?order=asc&per_page=1000&tree_size=${treeSize}&${filters}`)
    ).data;
    expect(proof.entries).toHaveLength(rows.length);
    const hashes = new Map<number, Buffer>();
    proof.entries.forEach(([position, salt, commitment], i) => {
      const row = rows[i] as AuditEvent;
      hashes.set(
        position,
        salt ? eventLeafHash(row, b64(salt)) : leafHash(leafBytes(row, b64(commitment ?? ''))),
      );
    });
    for (const [position, id, timestamp, category, commitment] of proof.others) {
      expect(hashes.has(position)).toBe(false);
      hashes.set(position, leafHash(leafBytes({ id, timestamp, category }, b64(commitment))));
    }
    const positions = [...hashes.keys()].sort((a, b) => a - b);
    const lo = positions[0] ?? 0;
    const hi = positions.length ? (positions.at(-1) as number) + 1 : 0;
    expect(positions).toEqual(Array.from({ length: hi - lo }, (_, i) => lo + i));
    const nodes = new Map(proof.nodes.map(([level, index, hash]) => [`${level}/${index}`, b64(hash)]));
    const root = rootFromRange(
      lo,
      hi,
      proof.tree_size,
      (position) => hashes.get(position) as Buffer,
      (level, index) => {
        const hash = nodes.get(`${level}/${index}`);
        if (!hash) throw new Error(`the proof lacks subtree ${level}/${index}`);
        return hash;
      },
    );
    const verifier = parseVerifierKey(f.app.services.logKey.verifierKey);
    return { root, checkpoint: parseCheckpoint(openNote(proof.checkpoint, [verifier]).text), proof };
  }

  it("recomputes to the checkpoint's root from the exported events, their salts, the others and the nodes", async () => {
    const f = await sealedFixture();
    await f.ingest(logins(1, 6));
    await f.ingest([
      { action: 'tunnel.created', metadata: { n: 1 } },
      login(7),
      { action: 'tunnel.deleted' },
    ]);
    await settle(f);
    await f.ingest(logins(8, 3));
    await settle(f);
    const size = (await treeOf(f)).checkpoint?.size ?? 0;
    for (const filters of [
      'action=user.login',
      'action=tunnel.*',
      '',
      'category=auth&q=login',
      'action=none.such',
    ]) {
      const { root, checkpoint, proof } = await proofRoot(f, filters, size);
      expect([filters, checkpoint.size]).toEqual([filters, size]);
      expect([filters, root.equals(checkpoint.root)]).toEqual([filters, true]);
      if (filters === 'action=tunnel.*') expect(proof.others.length).toBeGreaterThan(0);
    }
  });

  it('proves an erased event by its commitment: the salt is gone, the root still recomputes', async () => {
    const f = await sealedFixture();
    await f.ingest([login(1), { action: 'user.login', actor: { email: 'erase.me@example.com' } }, login(2)]);
    await settle(f);
    const erased = await f.request({
      method: 'POST',
      url: '/api/v1/organizations/default/gdpr/erasures',
      payload: { user: 'erase.me@example.com' },
    });
    expect(erased.statusCode).toBe(200);
    await settle(f);
    const size = (await treeOf(f)).checkpoint?.size ?? 0;
    const { root, checkpoint, proof } = await proofRoot(f, 'action=user.login', size);
    expect(proof.entries.filter((entry) => entry[1] === null)).toHaveLength(1);
    expect(root.equals(checkpoint.root)).toBe(true);
  });
});
