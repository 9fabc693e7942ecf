import type { PerfectSubtrees } from '../domain/merkle/subtrees.js';
import type { DeliveryQueue } from './delivery-queue.js';
import type { DirectoryStore } from './directory-store.js';
import type { EventRecorder } from './event-recorder.js';
import type { StoredEvent } from './event-rows.js';
import type { EventStore } from './event-store.js';
import type { ExportChunkReader } from './export-chunk.js';
import type { GdprStore } from './gdpr-store.js';
import type { ExportLeafReader } from './merkle-export-leaves.js';
import type { LeafRowReader } from './merkle-leaf-rows.js';
import type { MerkleStore, StoredLeaf } from './merkle-store.js';
import type { ReviewStore } from './review-store.js';
import type { ServerSettings } from './server-settings.js';
import type { StatsStore } from './stats-store.js';
import type { WebhookStore } from './webhook-store.js';

/**
 * The engine-neutral face of the stores: every method answers a Promise, every generator is an
 * AsyncIterable. SQLite (sqlite-engine.ts) and PostgreSQL (store/pg/) implement the same shape,
 * so the server, the admin commands and the application flows are written once.
 */
export type Async<T> = {
  [K in keyof T]: T[K] extends (...args: infer A) => Generator<infer Y, unknown, unknown>
    ? (...args: A) => AsyncIterable<Y>
    : T[K] extends (...args: infer A) => infer R
      ? (...args: A) => Promise<R>
      : never;
};

/**
 * Positions (`seq`) are per organization on PostgreSQL (gap-free, in commit order), so every
 * method that reads by position names its organization. On SQLite the sequence is global: the
 * organization narrows the read, and a position stays comparable with SQLite's own.
 */
export interface EventPort
  extends Async<
    Omit<EventStore, 'findBySeq' | 'readFrom' | 'maxSeq' | 'endSeq' | 'purgeBefore' | 'preparedStatements'> &
      ExportChunkReader
  > {
  /**
   * Retention: removes the organization's events older than `cutoff` (the append-only guard
   * lifted for it alone) and answers how many. Inside `Engine.write`, with its record.
   */
  purgeBefore(orgId: number, cutoff: number): Promise<number>;
  /** The organization's event stored at a position. */
  findBySeq(orgId: number, seq: number): Promise<StoredEvent | undefined>;
  /** The organization's events after a position, oldest first: the follower hub's read. */
  readFrom(orgId: number, afterSeq: number, limit: number): Promise<StoredEvent[]>;
  /** The organization's highest stored position (0: none). */
  maxSeq(orgId: number): Promise<number>;
  /** The highest position ever issued to the organization, erased events included. */
  endSeq(orgId: number): Promise<number>;
}

/**
 * Roots and proofs are computed over a synchronous lookup of perfect-subtree hashes
 * (domain/merkle PerfectSubtrees), called many times: `withSubtrees` runs such a computation
 * over the organization's tree. SQLite answers each lookup from its tables as asked; PostgreSQL
 * learns the (level, index) list first, fetches it in one query, then computes (merkle-subtrees.ts).
 */
export interface MerklePort
  extends Async<
    Omit<MerkleStore, 'sealedSeq' | 'leafOfSeq' | 'subtrees'> & LeafRowReader & ExportLeafReader
  > {
  /** The highest position of the organization that has a leaf (0: none). */
  sealedSeq(orgId: number): Promise<number>;
  /** The organization's leaf of the event at a position, if it is sealed. */
  leafOfSeq(orgId: number, eventSeq: number): Promise<StoredLeaf | undefined>;
  /**
   * `compute`'s answer over the organization's perfect subtrees. It must choose what it looks up
   * by sizes and indexes alone (as roots and proofs do), never by a hash it was given; a subtree
   * the tree does not have is an error.
   */
  withSubtrees<T>(orgId: number, compute: (perfect: PerfectSubtrees) => T): Promise<T>;
}

/** Where sealing stands: what leaves computed elsewhere were computed against. */
export interface SealingState {
  /** The events after this position are the next to seal (SQLite: of the one sequence). */
  afterSeq: number;
  /** Changes whenever a stored event may have been rewritten or deleted, here or elsewhere. */
  version: string;
}

/**
 * What the tree sealer reads: the stored events no tree holds yet, in the order they are added
 * (SQLite: the one sequence of every organization; PostgreSQL: each organization's own, one
 * organization after another), and a state that changes when one may have been rewritten or
 * deleted, so leaves computed off the event loop are stored only while it has not.
 */
export interface SealingPort {
  /** The next events to add to their organization's tree, in the order they are added. */
  unsealed(limit: number): Promise<StoredEvent[]>;
  /** How many stored events no tree holds yet. */
  behind(): Promise<number>;
  state(): Promise<SealingState>;
  /**
   * Inside a write: no other process appends to the organization's tree or signs it until this
   * transaction ends (the checkpoint signer's turn). SQLite: a write is the file's only one.
   */
  holdTree(orgId: number): Promise<void>;
}

/**
 * Every store the server and the admin commands call, each method a Promise. The SQL and record
 * types of each live in src/store; the behaviour over them (the webhook worker, erasure, the
 * review's rules, the tree sealer) in the layers above, written once for both engines.
 */
export interface StorePort {
  events: EventPort;
  directory: Async<DirectoryStore>;
  recorder: Async<EventRecorder>;
  /** Each organization's Merkle tree, signed checkpoints and export leaves. */
  merkle: MerklePort;
  stats: Async<StatsStore>;
  /** Webhook subscriptions and their delivery log, as the API manages them. */
  webhooks: Async<WebhookStore>;
  /** The webhook worker's side of the outbox: due deliveries, leases, outcomes. */
  deliveries: Async<DeliveryQueue>;
  /** The server's own settings, made by migrations (the stream position key). */
  settings: Async<ServerSettings>;
  /** The security review's reads (src/review): call them inside one `Engine.read`. */
  review: Async<ReviewStore>;
  sealing: SealingPort;
  /**
   * What the GDPR flows (src/gdpr) read and write: events a page at a time, accounts, free-text
   * columns, pseudonyms; an erasure's rewrites inside one `Engine.write`.
   */
  gdpr: Async<GdprStore>;
}

/** The stores as one write transaction sees them: valid only until `write`'s work settles. */
export interface WriteScope extends StorePort {
  /** Runs `callback` once this transaction commits; never if it rolls back. */
  afterCommit(callback: () => void): void;
}

export type EngineKind = 'sqlite' | 'postgres';

/** One database behind the port: the stores, its transactions and its end. */
export interface Engine {
  kind: EngineKind;
  /** For single reads. Outside `write`, a call waits for a write in progress to settle. */
  stores: StorePort;
  /**
   * Runs `work`'s reads together. PostgreSQL: one consistent view, a REPEATABLE READ, READ ONLY
   * transaction. SQLite: one view only while `work` awaits nothing but its own store calls (then
   * it runs within one turn of the event loop, in one read transaction); a read transaction held
   * across other awaits on the server's one connection would hold the writes back, so it ends at
   * the end of the turn, or when a write of this process begins, and later reads are each a
   * snapshot of their own. Callers that wait on anything else between reads that must agree
   * check what they read (as the tree's bound bounds its page), or read in one statement.
   */
  read<T>(work: (stores: StorePort) => Promise<T>): Promise<T>;
  /**
   * Runs `work` in one write transaction: committed when its promise fulfils, rolled back when
   * it rejects. Writes of one process run one at a time, in the order asked. `work` awaits only
   * its own store calls: on SQLite the transaction is open on the server's one connection, and a
   * setImmediate guard rolls back work that waits on anything else. That guard is best effort (a
   * timer or I/O callback of the same event-loop phase can still run while it is open), so code
   * that uses the connection directly waits for no transaction to be open (transaction.ts
   * outsideTransactions) rather than rely on it.
   */
  write<T>(work: (tx: WriteScope) => Promise<T>): Promise<T>;
  /**
   * Runs `callback` after the transaction in progress commits, or at once outside one. On SQLite
   * "in progress" is whatever transaction is open on the connection: called outside a write
   * while another request's write is open, it waits for that one, and is dropped if that one
   * rolls back. Inside a write use the scope's own (WriteScope.afterCommit); nothing calls this.
   */
  afterCommit(callback: () => void): void;
  /**
   * Best effort, without waiting: the earlier versions of rows just rewritten (a webhook's old
   * URL, a deleted webhook's secret) leave the database files, so a copy of the files taken
   * afterwards holds only the new values. Outside a write.
   */
  forgetOverwritten(): Promise<void>;
  /**
   * Makes erasures final in the files: no readable copy of an erased value is left in the
   * database files (old row versions, index entries, logs), and the scrub the erasure marked
   * pending is cleared. Retries for up to `waitMs` while readers keep old copies alive; true once
   * clean, false if they kept it from finishing (the erasure stays pending). Outside a write.
   */
  scrub(waitMs: number): Promise<boolean>;
  /**
   * Runs `work` while no other process runs exclusive work on this database: instances that
   * start together on a new database make its first organization and owner token once.
   * PostgreSQL: a session advisory lock; SQLite, one server per file: runs it.
   */
  exclusively<T>(work: () => Promise<T>): Promise<T>;
  close(): Promise<void>;
}

/*
 * Known limits on SQLite, left as they are because no caller reaches them:
 * - A generator's AsyncIterable (merkle iterateLeaves) opens its cursor under the call policy,
 *   then steps it across its consumer's awaits: a write that begins meanwhile is read by it.
 *   Nothing iterates one through the port; a caller must not await anything else inside.
 * - `tx.stats` inside a write: the stats store is loaded by a dynamic import on first use, a
 *   wait the write gate's guard rolls the write back for. Counts are reads, asked outside.
 */
