import { afterEach, describe, expect, it } from 'vitest';
import { parseCheckpoint } from '../../src/domain/checkpoint.js';
import { CHECKPOINT_SIGNED } from '../../src/domain/checkpoint-record.js';
import { commitmentOf, eventLeafHash, leafFields } from '../../src/domain/merkle/leaf.js';
import { rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { openNote, parseVerifierKey } from '../../src/domain/signed-note.js';
import { inMaintenanceWindow } from '../../src/store/transaction.js';
import { createFixture, type Fixture } from '../helpers/server-fixture.js';

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

async function sealed(options: { checkpointIntervalMs?: number } = {}) {
  fixture = await createFixture({ checkpointIntervalMs: options.checkpointIntervalMs ?? 60_000 });
  return fixture;
}

describe('the tree sealer', () => {
  it('makes one leaf per stored event, in the order stored, and a root that the events and salts recompute', async () => {
    const f = await sealed();
    await f.ingest([login(1), login(2), login(3)]);
    await f.ingest([login(4)]);
    const { merkle, events, directory } = f.app.services.sqlite;
    await f.app.services.sealer.settle();
    const org = directory.findOrganization('default');
    if (!org) throw new Error('no default organization');
    const size = merkle.size(org.id);
    const leaves = merkle.leaves(org.id, 0, size);
    expect(leaves.map((leaf) => leaf.position)).toEqual([...Array(size).keys()]);
    const seqs = leaves.map((leaf) => leaf.eventSeq);
    expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
    const recomputed = leaves.map((leaf) => {
      const stored = events.findBySeq(leaf.eventSeq);
      if (!stored || !leaf.salt) throw new Error(`leaf ${leaf.position} lost its event or salt`);
      expect(leaf.commitment).toEqual(commitmentOf(leaf.salt, leafFields(stored.event)));
      return eventLeafHash(stored.event, leaf.salt);
    });
    expect(recomputed).toEqual(leaves.map((leaf) => leaf.hash));
    const checkpoint = merkle.latestCheckpoint(org.id);
    expect(checkpoint?.root).toEqual(rootAt(checkpoint?.treeSize ?? 0, inMemorySubtrees(recomputed)));
  });

  it('signs a checkpoint that opens with the server key and names the organization in its origin', async () => {
    const f = await sealed();
    await f.ingest([login(1)]);
    await f.app.services.sealer.settle();
    const org = f.app.services.sqlite.directory.findOrganization('default');
    const stored = f.app.services.sqlite.merkle.latestCheckpoint(org?.id ?? 0);
    if (!stored) throw new Error('no checkpoint was signed');
    const opened = openNote(stored.note, [parseVerifierKey(f.app.services.logKey.verifierKey)]);
    const checkpoint = parseCheckpoint(opened.text);
    expect(checkpoint.origin).toBe(`${f.app.services.logKey.name}/default`);
    expect(checkpoint.size).toBe(stored.treeSize);
    expect(checkpoint.root).toEqual(stored.root);
    expect(checkpoint.extensions[0]).toMatch(/^time \d{4}-\d\d-\d\dT/);
  });

  it('signs a checkpoint covering the events ingest sealed in its own transaction, unasked (no settle)', async () => {
    const f = await sealed({ checkpointIntervalMs: 1 });
    const { merkle, directory, events } = f.app.services.sqlite;
    const orgId = directory.findOrganization('default')?.id ?? 0;
    const positionOf = (description: string) =>
      merkle
        .leaves(orgId, 0, merkle.size(orgId))
        .findIndex((leaf) => events.findBySeq(leaf.eventSeq)?.event.description === description);
    // The fixture's users were stored by another connection: the sealer seals that backlog.
    await f.ingest([login(1)]);
    await expect.poll(() => positionOf('login 1'), { timeout: 5000 }).toBeGreaterThan(0);
    // Now the tree holds everything before it: the commit that stores an event seals it.
    await f.ingest([login(2)]);
    const position = positionOf('login 2');
    expect(position).toBeGreaterThan(0);
    await expect
      .poll(() => merkle.latestCheckpoint(orgId)?.treeSize ?? 0, { timeout: 5000 })
      .toBeGreaterThan(position);
  });

  it('records each checkpoint as an event, and that record alone never calls for another checkpoint', async () => {
    const f = await sealed({ checkpointIntervalMs: 1 });
    const { sealer } = f.app.services;
    const { merkle, directory, events } = f.app.services.sqlite;
    const orgId = directory.findOrganization('default')?.id ?? 0;
    const records = () =>
      events
        .page(orgId, { detailed: true }, { kind: 'organization' }, { order: 'asc', limit: 1000 })
        .events.filter((stored) => stored.event.action === CHECKPOINT_SIGNED);
    await f.ingest([login(1)]);
    await sealer.settle();
    const signed = records().length;
    expect(signed).toBeGreaterThanOrEqual(1);
    // The record carries the signed note whole (no redaction touched it): a receiver can check it.
    const latest = merkle.latestCheckpoint(orgId);
    expect(records().at(-1)?.event.metadata).toEqual({
      origin: `${f.app.services.logKey.name}/default`,
      tree_size: latest?.treeSize,
      root: latest?.root.toString('base64'),
      checkpoint: latest?.note,
    });
    // Time passes, nothing new arrives: the newest leaf is the record, and no checkpoint follows it.
    await new Promise((resolve) => setTimeout(resolve, 50));
    await sealer.settle();
    expect(records().length).toBe(signed);
    expect(merkle.size(orgId)).toBe((merkle.latestCheckpoint(orgId)?.treeSize ?? 0) + 1);
    // The next real event brings a checkpoint that covers the record too.
    await f.ingest([login(2)]);
    await sealer.settle();
    expect(records().length).toBe(signed + 1);
    expect(merkle.latestCheckpoint(orgId)?.treeSize).toBe(merkle.size(orgId) - 1);
  });

  it('forgets the salt of an event that erasure rewrites or the purge removes, and keeps its leaf', async () => {
    const f = await sealed();
    const [first, second] = await f.ingest([login(1), login(2)]);
    await f.app.services.sealer.settle();
    const { db } = f.app.services.sqlite;
    const { merkle, events } = f.app.services.sqlite;
    const seqOf = (id: string | undefined) => events.findById(1, id ?? '')?.seq ?? 0;
    const firstSeq = seqOf(first?.id);
    const secondSeq = seqOf(second?.id);
    const before = merkle.leafOfSeq(secondSeq);
    inMaintenanceWindow(db, () => {
      db.prepare("UPDATE events SET actor_email = 'erased' WHERE seq = ?").run(firstSeq);
      db.prepare('DELETE FROM events WHERE seq = ?').run(secondSeq);
    });
    expect(merkle.leafOfSeq(firstSeq)?.salt).toBeNull();
    const after = merkle.leafOfSeq(secondSeq);
    expect(after?.salt).toBeNull();
    expect(after?.hash).toEqual(before?.hash);
  });

  it('refuses to change or delete a leaf, a subtree or a checkpoint (append-only, like the events)', async () => {
    const f = await sealed();
    await f.ingest([login(1), login(2)]);
    await f.app.services.sealer.settle();
    const { db } = f.app.services.sqlite;
    expect(() => db.prepare("UPDATE merkle_leaves SET category = 'x'").run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE merkle_leaves SET salt = randomblob(32)').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_leaves').run()).toThrow(/append-only/);
    expect(() => db.prepare('DELETE FROM merkle_nodes').run()).toThrow(/append-only/);
    expect(() => db.prepare('UPDATE merkle_checkpoints SET tree_size = 1').run()).toThrow(/append-only/);
  });

  it('keeps checkpoint records out of lists unless detailed or asked for by name', async () => {
    const f = await sealed();
    await f.ingest([login(1)]);
    await f.app.services.sealer.settle();
    const actions = async (query: string) => {
      const answer = await f.request({
        method: 'GET',
        url: `/api/v1/organizations/default/audit-logs?per_page=100${query}`,
      });
      expect(answer.statusCode).toBe(200);
      return answer.json().data.map((event: { action: string }) => event.action) as string[];
    };
    expect(await actions('')).not.toContain(CHECKPOINT_SIGNED);
    expect(await actions('&category=audit')).not.toContain(CHECKPOINT_SIGNED);
    expect(await actions('&detailed=true')).toContain(CHECKPOINT_SIGNED);
    expect(await actions(`&action=${CHECKPOINT_SIGNED}`)).toEqual([CHECKPOINT_SIGNED]);
  });

  it('queues a checkpoint record for a webhook that names it, and not for one that takes everything', async () => {
    const f = await sealed({ checkpointIntervalMs: 1 });
    const base = '/api/v1/organizations/default/webhooks';
    const hook = async (actions: string) => {
      const created = await f.request({
        method: 'POST',
        url: base,
        payload: {
          url: 'https://hooks.example.com/audit',
          actions,
          secret: 'whsec_0123456789abcdef0123456789',
        },
      });
      expect(created.statusCode).toBe(201);
    };
    await hook(CHECKPOINT_SIGNED);
    await hook('*');
    await f.ingest([login(1)]);
    await f.app.services.sealer.settle();
    const queued = f.db
      .prepare(
        `SELECT p.pattern || CASE p.is_prefix WHEN 1 THEN '*' ELSE '' END AS hook, e.action
         FROM webhook_deliveries d JOIN webhook_patterns p ON p.webhook_id = d.webhook_id
         JOIN events e ON e.seq = d.event_seq`,
      )
      .all() as { hook: string; action: string }[];
    const checkpointHooks = queued.filter((row) => row.action === CHECKPOINT_SIGNED).map((row) => row.hook);
    expect(checkpointHooks.length).toBeGreaterThanOrEqual(1);
    expect(new Set(checkpointHooks)).toEqual(new Set([CHECKPOINT_SIGNED]));
    expect(queued.some((row) => row.hook === '*' && row.action === 'user.login')).toBe(true);
  });

  it('signs every grown tree at start-up (settle with signNow) even within the interval, so the first verify covers everything stored', async () => {
    const f = await sealed();
    const { sealer } = f.app.services;
    const { merkle, directory } = f.app.services.sqlite;
    const orgId = directory.findOrganization('default')?.id ?? 0;
    await f.ingest([login(1)]);
    await sealer.settle();
    const first = merkle.latestCheckpoint(orgId)?.treeSize ?? 0;
    await f.ingest([login(2), login(3)]);
    await sealer.settle();
    expect(merkle.latestCheckpoint(orgId)?.treeSize).toBe(first);
    await sealer.settle({ signNow: true });
    await sealer.settle(); // seals the checkpoint's own record
    expect(merkle.latestCheckpoint(orgId)?.treeSize).toBe(merkle.size(orgId) - 1);
    expect(merkle.latestCheckpoint(orgId)?.treeSize).toBeGreaterThan(first);
  });
});
