/**
 * The Merkle-tree routes of an organization's log (design: signed checkpoints, consistency
 * proofs, leaves): typed calls, no checking of what they say — src/verify does that, and a
 * server is never trusted to have answered truthfully.
 */
import type { Static } from 'typebox';
import type { AuditEvent } from '../domain/event.js';
import { MAX_LEAVES_PER_READ } from '../domain/request-limits.js';
// Type-only: erased at build, so the client loads no server code.
import type { ConsistencyAnswer as ConsistencySchema, TreeAnswer } from '../server/schemas/tree.js';
import { jsonAnswer } from './answer.js';
import { logsPath } from './api-paths.js';
import type { AuditClient } from './client.js';
import type { CallOptions } from './client-options.js';
import type { Answer } from './http.js';
import { rowLinesOfChunks } from './leaf-page-lines.js';

/** Leaves one `tree/leaves` call returns at most. */
export const MAX_LEAVES_PER_PAGE = MAX_LEAVES_PER_READ;

/** `GET …/tree`'s data, as the server's schema declares it. */
export type TreeInfo = Static<typeof TreeAnswer>['data'];

/** `GET …/tree/consistency`'s data, as the server's schema declares it. */
export type ConsistencyAnswer = Static<typeof ConsistencySchema>['data'];

/**
 * One leaf as the API lists it, a row: hash, commitment and salt in lowercase hex (salt null once
 * the event was erased or purged); fields the event's 18 export fields in CSV column order as
 * stored ("" for none, changes and metadata as their stored JSON text), null once it was purged.
 */
export type LeafRow = [
  position: number,
  hash: string,
  event_id: string,
  timestamp: string,
  category: string,
  commitment: string,
  salt: string | null,
  fields: string[] | null,
];

/**
 * A page of leaves. The route writes one row a line (`{"data":[` newline, rows joined by `,` and
 * a newline, newline `]`…): each row is parsed only when it is read, so a page of 10,000 rows is
 * the chunks it came in until then rather than 270,000 objects that outlive young-generation collections
 * (they cost a third of `audit verify --full`). An answer of another layout is parsed whole.
 */
export interface LeafPage {
  length: number;
  /** Row `index` as parsed, or undefined when it is not JSON. */
  row(index: number): unknown;
  /** Events of the org among these leaves' seqs that no leaf stands for. */
  unsealed: AuditEvent[];
  /**
   * Where row `index` lies in the answer's bytes, valid UTF-8: bytes[index][starts[index],
   * ends[index]), when the answer is of the row-a-line layout: a reader may split a row itself
   * (src/verify/leaf-row-bytes.ts).
   */
  lines?: { bytes: readonly Buffer[]; starts: readonly number[]; ends: readonly number[] };
}

const ROWS_HEAD = '{"data":[\n';

/** A page from an answer read as text, or as the chunks of its bytes (src/client/http.ts BodyRead). */
export function parseLeafPage(answer: Answer): LeafPage {
  const { chunks } = answer;
  if (chunks === undefined) return parseLeafText(answer);
  const lines = rowLinesOfChunks(chunks);
  if (lines === undefined) {
    // Bytes that are not UTF-8, or of another layout, are decoded as text just as undici's text()
    // does (a byte-order mark dropped): what the check sees of them does not change.
    const bytes = Buffer.concat(chunks);
    const start = bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf ? 3 : 0;
    return parseLeafText({ ...answer, text: bytes.toString('utf8', start), chunks: undefined });
  }
  const { bytes, starts, ends } = lines;
  const rest = jsonAnswer({ ...answer, text: `{"data":[${lines.tail.toString('utf8')}` }, 'envelope') as {
    unsealed: AuditEvent[];
  };
  return {
    length: starts.length,
    row(index) {
      try {
        // Cut at newlines (ASCII, never inside a character): each row decodes as the whole would.
        return JSON.parse((bytes[index] as Buffer).toString('utf8', starts[index], ends[index]));
      } catch {
        return undefined;
      }
    },
    unsealed: rest.unsealed,
    lines: { bytes, starts, ends },
  };
}

function parseLeafText(answer: Answer): LeafPage {
  const { text } = answer;
  if (!text.startsWith(ROWS_HEAD)) {
    const body = jsonAnswer(answer, 'envelope') as { data: unknown; unsealed: unknown };
    const rows: unknown[] = Array.isArray(body.data) ? body.data : [];
    return { length: rows.length, row: (index) => rows[index], unsealed: body.unsealed as AuditEvent[] };
  }
  const starts: number[] = [];
  const ends: number[] = [];
  let start = ROWS_HEAD.length;
  while (text[start] !== ']') {
    const end = text.indexOf('\n', start);
    if (end === -1) throw malformed(answer);
    starts.push(start);
    ends.push(text[end - 1] === ',' ? end - 1 : end);
    start = end + 1;
  }
  const rest = jsonAnswer({ ...answer, text: `{"data":[${text.slice(start)}` }, 'envelope') as {
    unsealed: AuditEvent[];
  };
  return {
    length: starts.length,
    row(index) {
      try {
        return JSON.parse(text.slice(starts[index], ends[index]));
      } catch {
        return undefined;
      }
    },
    unsealed: rest.unsealed,
  };
}

/** A row layout cut off before its end: reported as an answer that is not JSON. */
function malformed(answer: Answer): Error {
  return jsonAnswer({ ...answer, text: '<cut off>' }) as Error; // throws AuditResponseError
}

/** The tree's origin, the server's verifier key and the latest checkpoint. */
export async function getTree(client: AuditClient, options: CallOptions = {}): Promise<TreeInfo> {
  return (await client.request<{ data: TreeInfo }>('GET', `${logsPath(client.org)}/tree`, options)).body.data;
}

/** The latest signed checkpoint, the note's text verbatim. */
export function getCheckpointNote(client: AuditClient, options: CallOptions = {}): Promise<string> {
  return client.requestText(`${logsPath(client.org)}/checkpoint`, options);
}

export async function getConsistency(
  client: AuditClient,
  first: number,
  second: number,
  options: CallOptions = {},
): Promise<ConsistencyAnswer> {
  const path = `${logsPath(client.org)}/tree/consistency`;
  return (
    await client.request<{ data: ConsistencyAnswer }>('GET', path, { ...options, query: { first, second } })
  ).body.data;
}

/** Leaves [start, end), end - start ≤ MAX_LEAVES_PER_PAGE. */
export async function getLeaves(
  client: AuditClient,
  start: number,
  end: number,
  options: CallOptions = {},
): Promise<LeafPage> {
  const path = `${logsPath(client.org)}/tree/leaves`;
  return parseLeafPage(await client.requestAnswer(path, { ...options, query: { start, end } }, 'bytes'));
}
