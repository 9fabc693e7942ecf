/**
 * A log in memory that answers range proofs as the server's `GET …/audit-logs/tree/proof` does:
 * leaves over events with random salts, a checkpoint signed by a fresh key. For testing the
 * offline check without a server, and for the one-million-event benchmark.
 */
import { randomBytes } from 'node:crypto';
import { formatCheckpoint } from '../../src/domain/checkpoint.js';
import { CHECKPOINT_SIGNED } from '../../src/domain/checkpoint-record.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { leafHash } from '../../src/domain/merkle/hashes.js';
import { commitmentOf, leafBytes, leafFields } from '../../src/domain/merkle/leaf.js';
import { rootAt } from '../../src/domain/merkle/proofs.js';
import { rangeProofNodes } from '../../src/domain/merkle/range-proof.js';
import { inMemorySubtrees } from '../../src/domain/merkle/subtrees.js';
import { generateNoteKey, parseSignerKey, signNote } from '../../src/domain/signed-note.js';

export interface MemoryLog {
  verifierKey: string;
  /** The range proof of these positions, in this (file) order, within the whole log. */
  proofOf(positions: readonly number[]): unknown;
}

export function memoryLog(events: readonly AuditEvent[], keyName = 'audit.test'): MemoryLog {
  const salts = events.map(() => randomBytes(32));
  const commitments = events.map((event, i) => commitmentOf(salts[i] as Buffer, leafFields(event)));
  const leaves = events.map((event, i) => leafHash(leafBytes(event, commitments[i] as Buffer)));
  const perfect = inMemorySubtrees(leaves);
  const size = events.length;
  const key = generateNoteKey(keyName);
  const origin = `${keyName}/acme`;
  const checkpoint = signNote(
    formatCheckpoint({
      origin,
      size,
      root: rootAt(size, perfect),
      extensions: ['time 2024-06-01T00:00:00.000Z'],
    }),
    parseSignerKey(key.signerKey),
  );
  return {
    verifierKey: key.verifierKey,
    proofOf(positions) {
      const inFile = new Set(positions);
      // Not a spread: a million-event log's positions are more arguments than a call takes.
      const lo = positions.reduce((least, p) => Math.min(least, p), Number.POSITIVE_INFINITY);
      const hi = positions.reduce((most, p) => Math.max(most, p), Number.NEGATIVE_INFINITY);
      const others = [];
      for (let p = lo; p <= hi; p++) {
        if (inFile.has(p)) continue;
        const event = events[p] as AuditEvent;
        const other: unknown[] = [
          p,
          event.id,
          event.timestamp,
          event.category,
          (commitments[p] as Buffer).toString('base64'),
        ];
        // As the server does: a checkpoint record is shown opened (lists hide it unless detailed).
        if (event.action === CHECKPOINT_SIGNED)
          other.push((salts[p] as Buffer).toString('base64'), leafFields(event));
        others.push(other);
      }
      return {
        tree_size: size,
        checkpoint,
        entries: positions.map((p) => [p, (salts[p] as Buffer).toString('base64')]),
        others: positions.length === 0 ? [] : others,
        nodes:
          positions.length === 0
            ? []
            : rangeProofNodes(lo, hi + 1, size).map(([level, index]) => [
                level,
                index,
                perfect(level, index).toString('base64'),
              ]),
      };
    },
  };
}

/** Event n of a log, with the text a file must carry exactly: quotes, commas, newlines, formulas, unicode. */
export function logEvent(n: number, timestamp: string): AuditEvent {
  return {
    id: `01HZZ${String(n).padStart(21, '0')}`,
    timestamp,
    category: n % 4 === 0 ? 'security' : 'tunnel',
    action: n % 4 === 0 ? 'user.login' : 'tunnel.deleted',
    description: n % 3 === 0 ? `line one, "quoted"\nline two #${n} — ünïcödé` : null,
    actor: { id: `user_${n % 5}`, name: n % 2 ? '=cmd()' : "'quoted", email: '@evil.example', type: 'user' },
    target: n % 2 ? { type: 'tunnel', id: `tunnel_${n}`, name: `-api-${n}.example.net` } : null,
    context: {
      ip_address: '203.0.113.7',
      user_agent: 'Mozilla/5.0, "x"\r\n',
      team_id: null,
      team_name: '+team',
    },
    changes: n % 5 === 0 ? { role: { old: 'member', new: 'admin' }, z: 1, a: [1.5, '\u202e'] } : null,
    metadata: { n, note: 'tab\there, comma, "quote"', big: 1e21, nested: { b: 2, a: 1 } },
  };
}
