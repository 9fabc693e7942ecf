import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox';
import type { FastifyInstance, FastifyReply } from 'fastify';
import { verifierKeyFingerprint } from '../../domain/key-fingerprint.js';
import { consistencyProof, inclusionProof } from '../../domain/merkle/proofs.js';
import { MAX_LEAVES_PER_READ, MAX_PAGE_SIZE } from '../../domain/request-limits.js';
import { invalidParameter, notFound } from '../problem.js';
import { OrgParams, problemResponses } from '../schemas/common.js';
import {
  ConsistencyAnswer,
  ConsistencyQuery,
  InclusionAnswer,
  InclusionQuery,
  LeavesAnswer,
  LeavesQuery,
  TreeAnswer,
} from '../schemas/tree.js';
import { noCheckpoint, sealedSize, TREE_PATH, treeReader } from '../tree-access.js';
import { logOrigin } from '../tree-sealer.js';
import { registerTreeProofRoute } from './tree-proof.js';

const b64 = (bytes: Buffer) => bytes.toString('base64');
const DATA_HEAD = Buffer.from('{"data":');

/**
 * The organization's Merkle tree (RFC 9162) for those who verify it: the latest signed checkpoint,
 * inclusion and consistency proofs, and the leaves themselves. Readers of the whole organization
 * only: a leaf stands for every event, whoever may see it.
 */
export function registerTreeRoutes(app: FastifyInstance) {
  const { engine, logKey } = app.services;
  const { merkle } = engine.stores;
  const typed = app.withTypeProvider<TypeBoxTypeProvider>();
  const tags = ['integrity'];

  typed.get(
    `${TREE_PATH}/checkpoint`,
    {
      schema: {
        tags,
        summary: 'The latest signed checkpoint (a C2SP signed note)',
        params: OrgParams,
        response: {
          200: { content: { 'text/plain': { schema: { type: 'string' } } } },
          ...problemResponses(401, 403, 404, 429),
        },
      },
    },
    async (request, reply) => {
      const principal = treeReader(request);
      const checkpoint = await merkle.latestCheckpoint(principal.organization.id);
      if (!checkpoint) throw noCheckpoint('the organization has no signed checkpoint yet');
      return reply.type('text/plain; charset=utf-8').send(checkpoint.note);
    },
  );

  typed.get(
    `${TREE_PATH}/tree`,
    {
      schema: {
        tags,
        summary: "The tree's origin, signing key, size and latest checkpoint",
        params: OrgParams,
        response: { 200: TreeAnswer, ...problemResponses(401, 403, 404, 429) },
      },
    },
    async (request) => {
      const { organization } = treeReader(request);
      const [checkpoint, sealedSize] = await engine.read((stores) =>
        Promise.all([stores.merkle.latestCheckpoint(organization.id), stores.merkle.size(organization.id)]),
      );
      return {
        data: {
          origin: logOrigin(logKey, organization.slug),
          key: {
            name: logKey.name,
            verifier_key: logKey.verifierKey,
            fingerprint: verifierKeyFingerprint(logKey.verifierKey),
          },
          sealed_size: sealedSize,
          checkpoint: checkpoint
            ? {
                size: checkpoint.treeSize,
                root: b64(checkpoint.root),
                signed_at: new Date(checkpoint.signedAt).toISOString(),
                note: checkpoint.note,
              }
            : null,
        },
      };
    },
  );

  typed.get(
    `${TREE_PATH}/tree/inclusion`,
    {
      schema: {
        tags,
        summary: "An event's inclusion proof in a tree of a given size (default: the latest checkpoint's)",
        params: OrgParams,
        querystring: InclusionQuery,
        response: { 200: InclusionAnswer, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const orgId = treeReader(request).organization.id;
      const { event_id: eventId } = request.query;
      return engine.read(async ({ merkle, events }) => {
        let size = request.query.tree_size;
        if (size === undefined) {
          const latest = await merkle.latestCheckpoint(orgId);
          if (!latest) throw noCheckpoint('the organization has no signed checkpoint yet: give tree_size');
          size = latest.treeSize;
        } else await sealedSize(merkle, orgId, size, 'tree_size');
        const seq = (await events.findById(orgId, eventId))?.seq;
        const leaf = seq === undefined ? undefined : await merkle.leafOfEvent(orgId, seq);
        if (!leaf || leaf.position >= size)
          throw notFound(`no audit event "${eventId}" in the tree of ${size}`);
        const { position } = leaf;
        const [leafHash, hashes] = await merkle.withSubtrees(
          orgId,
          (perfect) => [perfect(0, position), inclusionProof(position, size, perfect)] as const,
        );
        return {
          data: {
            event_id: eventId,
            position,
            tree_size: size,
            leaf_hash: b64(leafHash),
            hashes: hashes.map(b64),
          },
        };
      });
    },
  );

  typed.get(
    `${TREE_PATH}/tree/consistency`,
    {
      schema: {
        tags,
        summary: 'A proof that the tree of `first` leaves is a prefix of the tree of `second`',
        params: OrgParams,
        querystring: ConsistencyQuery,
        response: { 200: ConsistencyAnswer, ...problemResponses(400, 401, 403, 404, 429) },
      },
    },
    async (request) => {
      const orgId = treeReader(request).organization.id;
      const { first, second } = request.query;
      if (first > second) throw invalidParameter('first', `${first} is larger than second (${second})`);
      const hashes = await engine.read(async ({ merkle }) => {
        await sealedSize(merkle, orgId, second, 'second');
        return merkle.withSubtrees(orgId, (perfect) => consistencyProof(first, second, perfect));
      });
      return { data: { first, second, hashes: hashes.map(b64) } };
    },
  );

  typed.get(
    `${TREE_PATH}/tree/leaves`,
    {
      schema: {
        tags,
        summary: `Leaves [start, end) as rows with their events' fields (at most ${MAX_LEAVES_PER_READ})`,
        params: OrgParams,
        querystring: LeavesQuery,
        response: { 200: LeavesAnswer, ...problemResponses(400, 401, 403, 404, 429) },
      },
      config: { rateCost: leavesRateCost },
    },
    async (request, reply) => {
      const orgId = treeReader(request).organization.id;
      const { start, end } = request.query;
      if (start > end) throw invalidParameter('start', `${start} is past end (${end})`);
      if (end - start > MAX_LEAVES_PER_READ)
        throw invalidParameter('end', `at most ${MAX_LEAVES_PER_READ} leaves at a time`);
      const { rowsJson, unsealed } = await engine.read(async ({ merkle }) => {
        await sealedSize(merkle, orgId, end, 'end');
        return merkle.leafRows(orgId, start, end);
      });
      // Rows and events are JSON that the store built: the answer is joined as text or bytes.
      const tail = `,"unsealed":[${unsealed.join(',')}]}`;
      return (reply as FastifyReply)
        .type('application/json; charset=utf-8')
        .send(
          typeof rowsJson === 'string'
            ? `{"data":${rowsJson}${tail}`
            : Buffer.concat([DATA_HEAD, rowsJson, Buffer.from(tail)]),
        );
    },
  );

  registerTreeProofRoute(app);
}

/** Like list pages: one request per MAX_PAGE_SIZE leaves asked for. */
function leavesRateCost(request: { query: unknown }): number {
  const { start, end } = request.query as { start?: number; end?: number };
  if (typeof start !== 'number' || typeof end !== 'number' || end <= start) return 1;
  return Math.ceil(Math.min(end - start, MAX_LEAVES_PER_READ) / MAX_PAGE_SIZE);
}
