import { Type } from 'typebox';
import { MAX_LEAVES_PER_READ } from '../../domain/request-limits.js';
import { AuditEventRef } from './event.js';
import { ListQuerySchema } from './list.js';

/** The organization's Merkle tree as the API shows it (src/server/routes/tree.ts). */

const Base64 = (description: string) => Type.String({ description, contentEncoding: 'base64' });
const Hashes = Type.Array(Base64('a SHA-256 hash'), { description: 'RFC 9162 proof hashes, in order' });
const TreeSize = (description: string) => Type.Integer({ minimum: 0, description });

export const TreeAnswer = Type.Object({
  data: Type.Object({
    origin: Type.String({ description: "the checkpoints' origin line: <key name>/<organization>" }),
    key: Type.Object({
      name: Type.String(),
      verifier_key: Type.String({ description: 'C2SP signed-note verifier key: <name>+<hash>+<base64>' }),
      fingerprint: Type.String({ description: 'SHA256:<unpadded base64 of SHA-256 of the public key>' }),
    }),
    sealed_size: TreeSize('leaves in the tree now (events sealed)'),
    checkpoint: Type.Union([
      Type.Object({
        size: Type.Integer(),
        root: Base64('the root hash'),
        signed_at: Type.String({ format: 'date-time' }),
        note: Type.String({ description: 'the signed note, verbatim' }),
      }),
      Type.Null(),
    ]),
  }),
});

export const InclusionQuery = Type.Object(
  {
    event_id: Type.String({ minLength: 1, maxLength: 100 }),
    tree_size: Type.Optional(
      TreeSize("the tree to prove inclusion in; default: the latest checkpoint's size"),
    ),
  },
  { additionalProperties: false },
);

export const InclusionAnswer = Type.Object({
  data: Type.Object({
    event_id: Type.String(),
    position: Type.Integer(),
    tree_size: Type.Integer(),
    leaf_hash: Base64('the leaf hash'),
    hashes: Hashes,
  }),
});

export const ConsistencyQuery = Type.Object(
  {
    first: TreeSize('the older tree size'),
    second: TreeSize('the newer tree size, at most the sealed size'),
  },
  { additionalProperties: false },
);

export const ConsistencyAnswer = Type.Object({
  data: Type.Object({ first: Type.Integer(), second: Type.Integer(), hashes: Hashes }),
});

export const LeavesQuery = Type.Object(
  {
    start: TreeSize('the first position'),
    end: TreeSize(
      `the position after the last (at most start + ${MAX_LEAVES_PER_READ}, at most the sealed size)`,
    ),
  },
  { additionalProperties: false },
);

/**
 * One leaf as a row (compact: `audit verify --full` reads a million of them):
 * [position, hash, event_id, timestamp, category, commitment, salt, fields] — hash, commitment
 * and salt in lowercase hex, salt null once the event was erased or purged; fields the event's 18
 * export fields in CSV column order as stored (missing: ""; changes and metadata as their stored
 * JSON text), null once the event was purged.
 */
const LeafRow = Type.Array(
  Type.Union([Type.Integer(), Type.String(), Type.Null(), Type.Array(Type.String())]),
  {
    minItems: 8,
    maxItems: 8,
    description: '[position, hash, event_id, timestamp, category, commitment, salt|null, fields|null]',
  },
);

export const LeavesAnswer = Type.Object({
  data: Type.Array(LeafRow),
  unsealed: Type.Array(AuditEventRef, {
    description:
      'events of the organization stored between these leaves that have no leaf: rows added behind the server’s back',
  }),
});

const listFilters = Type.Omit(ListQuerySchema, [
  'order',
  'per_page',
  'cursor',
  'page',
  'after',
  'tree_size',
]).properties;

/** Every filter of the list, and the size of the checkpoint the export is proved against. */
export const ProofQuery = Type.Object(
  {
    ...listFilters,
    tree_size: TreeSize('the size of a signed checkpoint: the export covers its events'),
  },
  { additionalProperties: false },
);

export const ProofAnswer = Type.Object({
  data: Type.Object({
    tree_size: Type.Integer(),
    checkpoint: Type.String({ description: 'the signed note of the checkpoint of that size' }),
    entries: Type.Array(Type.Array(Type.Union([Type.Integer(), Type.String(), Type.Null()])), {
      description:
        'one per exported event, in export order (time, then storing order): [position, salt] — or [position, null, commitment] when erasure or the purge deleted its salt',
    }),
    others: Type.Array(Type.Array(Type.Union([Type.Integer(), Type.String(), Type.Array(Type.String())])), {
      description:
        'every leaf between the first and last exported position that is not exported: [position, event_id, timestamp, category, commitment]; a checkpoint record (hidden from lists unless detailed) adds its salt and 18 fields, so a check can see it is one',
    }),
    nodes: Type.Array(Type.Array(Type.Union([Type.Integer(), Type.String()])), {
      description: 'the perfect subtrees outside that span that the root needs: [level, index, hash]',
    }),
  }),
});
