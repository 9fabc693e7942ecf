/**
 * The resume cursor an interrupted export prints. It carries more than the server's page
 * cursor: the pinned upper bound (`received_before`), so the resumed part sees exactly what the
 * first part would have; how many events are already written; and, with `--split`, the period
 * whose `NAME.partial` was open, so the resume finishes that file even if no event follows.
 */
import { PERIOD } from '../domain/date-patterns.js';

export interface ResumePoint {
  /** The server's cursor after the last page written; null before the first page. */
  pageCursor: string | null;
  /** ISO instant the export was pinned to. */
  receivedBefore: string;
  /** Events already written. */
  written: number;
  /** The split period (`2024-01`, `2024-01-31`) whose partial file was open. */
  period?: string;
  /**
   * The CSV columns `--columns` chose: the partial's header and rows have these, so a resume
   * must write the same. Absent: every column (and every cursor printed before `--columns`).
   */
  columns?: readonly string[];
}

export class ExportCursorError extends Error {
  override readonly name = 'ExportCursorError';
}

const VERSION = 1;
const PREFIX = 'exp1.';

export function encodeResumePoint(point: ResumePoint): string {
  const payload: unknown[] = [
    VERSION,
    point.pageCursor,
    point.receivedBefore,
    point.written,
    point.period ?? null,
  ];
  if (point.columns !== undefined) payload.push(point.columns);
  return PREFIX + Buffer.from(JSON.stringify(payload), 'utf8').toString('base64url');
}

export function decodeResumePoint(text: string): ResumePoint {
  const invalid = () =>
    new ExportCursorError('--cursor: not a cursor printed by an interrupted audit export; copy it whole');
  if (!text.startsWith(PREFIX)) throw invalid();
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(text.slice(PREFIX.length), 'base64url').toString('utf8'));
  } catch {
    throw invalid();
  }
  if (!Array.isArray(parsed) || (parsed.length !== 5 && parsed.length !== 6) || parsed[0] !== VERSION)
    throw invalid();
  const [, pageCursor, receivedBefore, written, period, columns] = parsed as unknown[];
  if (
    (pageCursor !== null && typeof pageCursor !== 'string') ||
    typeof receivedBefore !== 'string' ||
    Number.isNaN(Date.parse(receivedBefore)) ||
    !Number.isSafeInteger(written) ||
    (written as number) < 0 ||
    (period !== null && (typeof period !== 'string' || !PERIOD.test(period))) ||
    (columns !== undefined && !isNameList(columns))
  ) {
    throw invalid();
  }
  return {
    pageCursor,
    receivedBefore,
    written: written as number,
    ...(period === null ? {} : { period: period as string }),
    ...(columns === undefined ? {} : { columns: columns as string[] }),
  };
}

function isNameList(value: unknown): value is string[] {
  return Array.isArray(value) && value.length > 0 && value.every((name) => typeof name === 'string');
}
