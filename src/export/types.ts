import type { AuditClient } from '../client/client.js';
import type { ListParams } from '../client/types.js';
import type { CsvColumn } from '../format/columns.js';
import type { ResumePoint } from './export-cursor.js';
import type { RenderProgress } from './pdf/types.js';

export const EXPORT_FORMATS = ['csv', 'json', 'ndjson', 'pdf'] as const;
export type ExportFormat = (typeof EXPORT_FORMATS)[number];
export const SPLIT_PERIODS = ['day', 'month'] as const;
export type SplitPeriod = (typeof SPLIT_PERIODS)[number];

/** One export of a range: what `audit export` and `audit backup run` both ask for. */
export interface ExportRequest {
  client: AuditClient;
  /** The list filters, `from`/`to` already resolved to instants. Order and paging are the exporter's. */
  params: ListParams;
  format: ExportFormat;
  /** A file path, or '-' for stdout. With `split`, the period is inserted before the extension. */
  output: string;
  /** The user named `output` (-o): a link there is replaced, not refused. Never so for split files. */
  outputNamedByUser?: boolean;
  gzip: boolean;
  split?: SplitPeriod;
  /** CSV: only these columns, in this order (`--columns`); default every one. */
  columns?: readonly CsvColumn[] | undefined;
  /** Display zone: PDF timestamps and split boundaries. */
  zone: string;
  /** Only the events of the first N leaves of the log's tree (a proved export: a checkpoint's size). */
  treeSize?: number;
  /** Resume where an interrupted export stopped (its decoded cursor). */
  resume?: ResumePoint | undefined;
  signal?: AbortSignal;
  /** Called after each page is written; a returned promise is awaited before the next page. */
  onProgress?(progress: ExportProgress): void | Promise<void>;
  /**
   * A PDF is drawn once every event is in: how far that has come, the file being drawn
   * included (the last event's page has then long been reported by `onProgress`).
   */
  onRendering?(progress: RenderProgress & { file: string }): void;
  /** Title/organization/filter text for the PDF report. */
  description?: { organization: string; filters: Record<string, string> };
  /** How many retries the client has made so far (count them with the client's `onRetry`). */
  retries?: () => number;
  /** Where `-` writes; default process.stdout. */
  stdout?: NodeJS.WritableStream;
  /** Clock for `received_before` and timings; default Date.now. */
  now?: () => number;
}

export interface ExportProgress {
  events: number;
  pages: number;
  retries: number;
  elapsedMs: number;
  file?: string;
}

export interface ExportResult {
  /** Events in the output, those written before a resume (`cursor`) included. */
  count: number;
  pages: number;
  retries: number;
  /** Files completed (renamed to their final name) by this run; `['-']` for stdout. */
  files: string[];
  /** With `split`: the period of each file of `files`. */
  periods?: string[];
  elapsedMs: number;
  /** Present when the export stopped early (Ctrl-C, network gave up): how to resume. */
  interrupted?: {
    cursor: string | null;
    reason: string;
    /** `signal`: the caller aborted; `network`: retries ran out. */
    cause: 'signal' | 'network';
    /** The `NAME.partial` kept for the resume to append to, if any. */
    partial?: string;
  };
}

export type { RenderProgress };
