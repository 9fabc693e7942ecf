import { randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { exportFields } from '../../src/domain/export-fields.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { commitmentOf, leafBytes, leafFields } from '../../src/domain/merkle/leaf.js';
import { formatPositionRanges } from '../../src/domain/merkle/position-ranges.js';
import { rootAt } from '../../src/domain/merkle/proofs.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { checkAllLeaves } from '../../src/verify/full-check.js';

/** A leaf as the tests build and damage it; the source lists it as the route's row. */
interface ListedLeaf {
  position: number;
  hash: string;
  event_id: string;
  timestamp: string;
  category: string;
  commitment: string;
  salt: string | null;
  event: AuditEvent | null;
}

const hex = (base64: string | null) =>
  base64 === null ? null : Buffer.from(base64, 'base64').toString('hex');

/** Rows parsed, and their bytes one a line as the client reads the route's answer (the fast path). */
function rowPage(leaves: ListedLeaf[]) {
  const rows = leaves.map(toRow);
  const lines = rows.map((row) => Buffer.from(JSON.stringify(row)));
  const starts: number[] = [];
  const ends: number[] = [];
  let offset = 0;
  for (const line of lines) {
    starts.push(offset);
    ends.push(offset + line.length);
    offset += line.length + 1;
  }
  const bytes = Buffer.concat(lines.flatMap((line) => [line, Buffer.from('\n')]));
  // Every row in the one buffer, as when the answer came in one chunk.
  return {
    length: rows.length,
    row: (index: number) => rows[index],
    lines: { bytes: rows.map(() => bytes), starts, ends },
  };
}

/** The row the leaves route answers: the event's fields as stored (JSON fields as stored text). */
function toRow(leaf: ListedLeaf): unknown[] {
  const fields =
    leaf.event &&
    exportFields(leaf.event, { text: (value) => value, json: (value) => JSON.stringify(value) });
  return [
    leaf.position,
    hex(leaf.hash),
    leaf.event_id,
    leaf.timestamp,
    leaf.category,
    hex(leaf.commitment),
    hex(leaf.salt),
    fields,
  ];
}

/** A log as the leaves route lists it, built with the real leaf functions; tests then damage it. */
function makeLog(count: number) {
  const leaves: ListedLeaf[] = [];
  for (let position = 0; position < count; position++) {
    const event: AuditEvent = {
      id: `log_${String(position).padStart(26, '0')}`,
      timestamp: new Date(Date.UTC(2026, 0, 1) + position * 60_000).toISOString(),
      category: 'auth',
      action: 'user.login',
      description: null,
      actor: { id: `user_${position}`, name: 'Alice', email: 'alice@example.com', type: 'user' },
      target: null,
      context: null,
      changes: null,
      metadata: null,
    };
    leaves.push(leafOf(position, event));
  }
  return leaves;
}

function leafOf(position: number, event: AuditEvent): ListedLeaf {
  const salt = randomBytes(32);
  const commitment = commitmentOf(salt, leafFields(event));
  return {
    position,
    hash: leafHash(leafBytes(event, commitment)).toString('base64'),
    event_id: event.id,
    timestamp: event.timestamp,
    category: event.category,
    commitment: commitment.toString('base64'),
    salt: salt.toString('base64'),
    event,
  };
}

function rootOf(leaves: readonly ListedLeaf[]): Buffer {
  return rootAt(
    leaves.length,
    inMemorySubtrees(leaves.map((leaf) => Buffer.from(leaf.hash as string, 'base64'))),
  );
}

/** Appends a system record (erasure or purge) as a proper leaf. */
function appendRecord(leaves: ListedLeaf[], action: string, metadata: Record<string, string>): void {
  const position = leaves.length;
  const event: AuditEvent = {
    id: `log_rec${String(position).padStart(23, '0')}`,
    timestamp: new Date(Date.UTC(2026, 5, 1) + position).toISOString(),
    category: action.startsWith('gdpr') ? 'gdpr' : 'audit',
    action,
    description: null,
    actor: null,
    target: null,
    context: null,
    changes: null,
    metadata,
  } as AuditEvent;
  leaves.push(leafOf(position, event));
}

async function check(
  leaves: ListedLeaf[],
  options: { root?: Buffer; unsealed?: AuditEvent[]; pageSize?: number } = {},
) {
  const root = options.root ?? rootOf(leaves);
  const source = {
    pageSize: options.pageSize ?? 4,
    page: async (start: number, end: number) => ({
      ...rowPage(leaves.slice(start, end)),
      unsealed: start === 0 ? (options.unsealed ?? []) : [],
    }),
  };
  return checkAllLeaves(source, leaves.length, root);
}

describe('audit verify --full, on leaves as the server lists them', () => {
  it('an untouched log recomputes to its root, page by page', async () => {
    const result = await check(makeLog(11));
    expect(result).toMatchObject({ leaves: 11, events: 11, erased: 0, purged: 0, problems: [] });
  });

  it('an event whose action was edited in the table is named by id and position', async () => {
    const leaves = makeLog(9);
    const victim = leaves[5] as ListedLeaf;
    victim.event = { ...(victim.event as AuditEvent), action: 'user.logout' };
    const { problems } = await check(leaves);
    expect(problems).toEqual([
      expect.objectContaining({ kind: 'changed-event', event_id: victim.event_id, position: 5 }),
    ]);
  });

  it('two events swapped in the table (their leaves stay) are caught at both positions', async () => {
    const leaves = makeLog(6);
    const [a, b] = [leaves[1] as ListedLeaf, leaves[4] as ListedLeaf];
    [a.event, b.event] = [b.event, a.event];
    const { problems } = await check(leaves);
    expect(problems).toEqual([expect.objectContaining({ kind: 'moved-event', position: 1, more: 1 })]);
  });

  it('an event deleted with no retention purge to account for it is named', async () => {
    const leaves = makeLog(6);
    (leaves[2] as ListedLeaf).event = null;
    (leaves[2] as ListedLeaf).salt = null;
    const { problems } = await check(leaves);
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'missing-event',
        position: 2,
        event_id: (leaves[2] as ListedLeaf).event_id,
      }),
    ]);
  });

  it('events deleted by a later retention purge whose cutoff is after them pass', async () => {
    const leaves = makeLog(6);
    for (const leaf of leaves.slice(0, 3)) Object.assign(leaf, { event: null, salt: null });
    appendRecord(leaves, 'audit.retention_purged', { cutoff: '2026-01-01T00:03:00.000Z' });
    const result = await check(leaves);
    expect(result.problems).toEqual([]);
    expect(result.purged).toBe(3);
  });

  it('a purge record cannot account for an event newer than its cutoff (a deletion hidden behind a purge)', async () => {
    const leaves = makeLog(6);
    for (const leaf of leaves.slice(0, 4)) Object.assign(leaf, { event: null, salt: null });
    appendRecord(leaves, 'audit.retention_purged', { cutoff: '2026-01-01T00:03:00.000Z' });
    const { problems } = await check(leaves);
    expect(problems).toEqual([expect.objectContaining({ kind: 'missing-event' })]);
  });

  it('a purge record appended behind the server to hide one deleted event is caught: older events it should have deleted are still there', async () => {
    const leaves = makeLog(6);
    // Root deleted event 3 alone and slipped in a purge record whose cutoff is after it; a real
    // purge deletes every event older than its cutoff, so events 0–2 would be gone too.
    Object.assign(leaves[3] as ListedLeaf, { event: null, salt: null });
    appendRecord(leaves, 'audit.retention_purged', { cutoff: '2026-01-01T00:04:00.000Z' });
    const { problems } = await check(leaves);
    expect(problems).toEqual([
      expect.objectContaining({
        kind: 'false-purge',
        event_id: (leaves[0] as ListedLeaf).event_id,
        position: 0,
      }),
    ]);
  });

  it('a purge record placed before the deleted event does not account for it (only a later one can)', async () => {
    const leaves = makeLog(0);
    appendRecord(leaves, 'audit.retention_purged', { cutoff: '2027-01-01T00:00:00.000Z' });
    leaves.push(...makeLog(3).map((leaf, index) => ({ ...leaf, position: index + 1 })));
    Object.assign(leaves[2] as ListedLeaf, { event: null, salt: null });
    const { problems } = await check(leaves);
    expect(problems).toEqual([expect.objectContaining({ kind: 'missing-event', position: 2 })]);
  });

  it('an event whose salt a later GDPR erasure deleted passes; one the erasure does not name fails', async () => {
    const leaves = makeLog(6);
    for (const index of [1, 2, 4]) {
      const leaf = leaves[index] as ListedLeaf;
      leaf.salt = null;
      leaf.event = {
        ...(leaf.event as AuditEvent),
        actor: { id: 'user_x', name: 'erased', email: null, type: 'user' },
      };
    }
    appendRecord(leaves, 'gdpr.user_erased', { tree_positions: formatPositionRanges([1, 2]) });
    const result = await check(leaves);
    expect(result.erased).toBe(2);
    expect(result.problems).toEqual([expect.objectContaining({ kind: 'salt-deleted', position: 4 })]);
  });

  it('a forged erasure record (its own salt gone, so unproved) cannot excuse an edited event', async () => {
    const leaves = makeLog(4);
    Object.assign(leaves[1] as ListedLeaf, { salt: null });
    appendRecord(leaves, 'gdpr.user_erased', { tree_positions: '1-4' });
    (leaves[4] as ListedLeaf).salt = null;
    const { problems } = await check(leaves);
    expect(problems).toEqual([expect.objectContaining({ kind: 'salt-deleted', position: 1, more: 1 })]);
  });

  it('an event in the table that no leaf stands for (inserted behind the sealer) is named', async () => {
    const leaves = makeLog(3);
    const sneaked = { ...(leaves[0]?.event as AuditEvent), id: 'log_sneaked00000000000000000' };
    const { problems } = await check(leaves, { unsealed: [sneaked] });
    expect(problems).toEqual([expect.objectContaining({ kind: 'unsealed-event', event_id: sneaked.id })]);
  });

  it('a leaf rewritten together with its event (new salt, new commitment) breaks the root', async () => {
    const leaves = makeLog(5);
    const forged = leafOf(3, { ...(leaves[3]?.event as AuditEvent), action: 'user.logout' });
    leaves[3] = forged;
    const { problems } = await check(leaves, { root: rootOf(makeLogLike(leaves)) });
    expect(problems).toEqual([expect.objectContaining({ kind: 'root-mismatch' })]);
  });

  it('a row whose commitment is not 64 hex digits (32 bytes) is refused as a bad answer', async () => {
    const leaves = makeLog(3);
    const rows = leaves.map(toRow);
    (rows[1] as unknown[])[5] = `${'ab'.repeat(31)}zz`;
    const source = {
      pageSize: 10,
      page: async () => ({ length: 3, row: (i: number) => rows[i], unsealed: [] }),
    };
    await expect(checkAllLeaves(source, 3, rootOf(leaves))).rejects.toMatchObject({
      problem: { kind: 'bad-answer', message: expect.stringContaining('position 1') },
    });
  });

  it('a server that answers fewer leaves than asked is refused, not trusted', async () => {
    const leaves = makeLog(5);
    const source = {
      pageSize: 10,
      page: async () => ({ ...rowPage(leaves.slice(0, 4)), unsealed: [] }),
    };
    await expect(checkAllLeaves(source, 5, rootOf(leaves))).rejects.toMatchObject({
      problem: { kind: 'bad-answer' },
    });
  });
});

/** Leaves with one hash changed: the root the checkpoint signed before the forgery. */
function makeLogLike(leaves: ListedLeaf[]): ListedLeaf[] {
  return leaves.map((leaf, index) =>
    index === 3 ? { ...leaf, hash: randomBytes(32).toString('base64') } : leaf,
  );
}
