import { Readable } from 'node:stream';
import type { FastifyInstance } from 'fastify';
import { CHECKPOINT_CATEGORY, CHECKPOINT_SIGNED } from '../../domain/checkpoint-record.js';
import type { EventFilter } from '../../domain/filters.js';
import { leafFields } from '../../domain/merkle/leaf.js';
import { rangeProofNodes } from '../../domain/merkle/range-proof.js';
import { EXPORT_PROOF_COST } from '../../domain/request-limits.js';
import type { StoredEvent } from '../../store/event-rows.js';
import type { EventLeaf, StoredCheckpoint, StoredLeaf } from '../../store/merkle-store.js';
import type { MerklePort } from '../../store/port.js';
import { parseListQuery } from '../list-query.js';
import { invalidParameter } from '../problem.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import type { ListQuery } from '../schemas/list.js';
import { ProofAnswer, ProofQuery } from '../schemas/tree.js';
import { TREE_PATH, treeReader, treeSizeSeq } from '../tree-access.js';

/** Events read per step; the answer is written a step at a time, with the event loop free between. */
const PROOF_STEP = 1000;

const b64 = (bytes: Buffer) => bytes.toString('base64');
const nextTurn = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * The range proof of an export (`audit export … --proof`, backups): for the events a list with the
 * same filters gives, restricted to a signed checkpoint's tree, in export order (time, then
 * storing order), each one's position and salt; every other leaf between the first and last of
 * them; and the subtrees outside that span that the checkpoint's root needs. Streamed: a
 * million events are never held at once (a bitmap of the tree's positions is: one bit a leaf).
 */
export function registerTreeProofRoute(app: FastifyInstance) {
  const { cursors, now } = app.services;
  const { merkle, events } = app.services.engine.stores;
  // Not typed by the provider: the answer is a stream of the document the schema describes.
  app.get(
    `${TREE_PATH}/tree/proof`,
    {
      schema: {
        tags: ['integrity'],
        summary:
          'The range proof of an export with these filters, against the checkpoint of tree_size leaves',
        params: OrgParams,
        querystring: ProofQuery,
        response: { 200: ProofAnswer, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: { rateCost: () => EXPORT_PROOF_COST },
    },
    async (request, reply) => {
      const principal = treeReader(request);
      const orgId = principal.organization.id;
      const query = request.query as ListQuery & { tree_size: number };
      const size = query.tree_size;
      const checkpoint = await merkle.checkpointOfSize(orgId, size);
      if (!checkpoint) throw invalidParameter('tree_size', `no checkpoint was signed at ${size} leaves`);
      const { filter } = await parseListQuery(query, {
        principal,
        scope: { kind: 'organization' },
        now: now(),
        events,
        cursors,
      });
      filter.maxSeq = await treeSizeSeq(principal, merkle, size);
      const document = proofDocument(merkle, orgId, filter, checkpoint, (seq) =>
        events.findBySeq(orgId, seq),
      );
      return reply.type('application/json; charset=utf-8').send(Readable.from(document));
    },
  );
}

async function* proofDocument(
  merkle: MerklePort,
  orgId: number,
  filter: EventFilter,
  checkpoint: StoredCheckpoint,
  findEvent: (seq: number) => Promise<StoredEvent | undefined>,
): AsyncGenerator<string> {
  const size = checkpoint.treeSize;
  yield `{"data":{"tree_size":${size},"checkpoint":${JSON.stringify(checkpoint.note)},"entries":[`;
  const exported = new Uint8Array(Math.ceil(size / 8));
  let lo = Number.POSITIVE_INFINITY;
  let hi = -1;
  let separator = '';
  let after: { ts: number; seq: number } | undefined;
  for (let hasMore = true; hasMore; ) {
    const page = await merkle.exportLeaves(orgId, filter, after, PROOF_STEP);
    ({ hasMore } = page);
    after = page.last;
    let chunk = '';
    // A row without a leaf (stored behind the sealer's back) has no entry: the file then
    // disagrees with its proof from that row on, which is what its verifier reports.
    for (const leaf of page.leaves.filter((leaf): leaf is EventLeaf => leaf !== undefined)) {
      exported[leaf.position >> 3] = (exported[leaf.position >> 3] as number) | (1 << (leaf.position & 7));
      lo = Math.min(lo, leaf.position);
      hi = Math.max(hi, leaf.position);
      chunk += `${separator}${entryJson(leaf)}`;
      separator = ',';
    }
    yield chunk;
    await nextTurn();
  }
  const [spanStart, spanEnd] = hi < 0 ? [0, 0] : [lo, hi + 1];
  yield '],"others":[';
  separator = '';
  for (let start = spanStart; start < spanEnd; start += PROOF_STEP) {
    let chunk = '';
    for (const leaf of await merkle.leaves(orgId, start, Math.min(spanEnd, start + PROOF_STEP))) {
      if (((exported[leaf.position >> 3] as number) >> (leaf.position & 7)) & 1) continue;
      // Awaited only for a checkpoint record's leaf: the rest need no read, nor a turn each.
      const record = mayBeCheckpointRecord(leaf) ? await checkpointRecordProof(leaf, findEvent) : '';
      chunk += `${separator}[${leaf.position},${JSON.stringify(leaf.eventId)},${JSON.stringify(leaf.timestamp)},${JSON.stringify(leaf.category)},"${b64(leaf.commitment)}"${record}]`;
      separator = ',';
    }
    yield chunk;
    await nextTurn();
  }
  const nodes = await merkle.withSubtrees(orgId, (perfect) =>
    rangeProofNodes(spanStart, spanEnd, size).map(
      ([level, index]) => `[${level},${index},"${b64(perfect(level, index))}"]`,
    ),
  );
  yield `],"nodes":[${nodes.join(',')}]}}`;
}

/**
 * For another leaf that is a checkpoint record, its salt and 18 fields: lists hide those records
 * unless detailed (checkpoint-record.ts), so a check shown that the record is one, by its own
 * commitment, does not count it as an event missing from the file. Nothing personal is in them.
 */
async function checkpointRecordProof(
  leaf: StoredLeaf,
  findEvent: (seq: number) => Promise<StoredEvent | undefined>,
): Promise<string> {
  if (!mayBeCheckpointRecord(leaf)) return '';
  const event = (await findEvent(leaf.eventSeq))?.event;
  if (event?.action !== CHECKPOINT_SIGNED) return '';
  return `,"${b64(leaf.salt)}",${JSON.stringify(leafFields(event))}`;
}

function mayBeCheckpointRecord(leaf: StoredLeaf): leaf is StoredLeaf & { salt: Buffer } {
  return leaf.category === CHECKPOINT_CATEGORY && Boolean(leaf.salt);
}

/** [position, salt], or [position, null, commitment] once erasure or the purge deleted the salt. */
function entryJson(leaf: EventLeaf): string {
  return leaf.salt
    ? `[${leaf.position},"${b64(leaf.salt)}"]`
    : `[${leaf.position},null,"${b64(leaf.commitment)}"]`;
}
