import type { AuditClient } from '../client/client.js';
import type { ListParams } from '../client/types.js';
import { MAX_PAGE_SIZE } from '../domain/request-limits.js';
import type { JsonField } from '../format/column-choice.js';
import type { EventWriter } from '../format/event-writer.js';
import { writeLine } from './context.js';
import { WIDE_COLUMNS } from './output/column-layout.js';
import { createListWriter } from './output/event-writer.js';
import { pagedOutput } from './output/paged-output.js';
import { guardClosedPipe } from './output/pipe.js';
import type { OutputChoice } from './output-options.js';
import type { ListFormat, Session } from './session.js';

export interface ListRequest {
  params: ListParams;
  format: ListFormat;
  /** Stop after this many events; undefined follows every page (`--all`). */
  limit: number | undefined;
  /** Table: every column, the event id too, nothing cut or hidden. */
  wide?: boolean | undefined;
  /** What `--columns`, `--json` and `--jq` chose. */
  output?: OutputChoice;
}

// Screen height when the terminal does not say.
const DEFAULT_ROWS = 24;

/**
 * The shared body of `logs` and `search`: page through the API, render through one writer as the
 * events arrive, stop quietly when the reader of a pipe goes away, send a table longer than the
 * screen to the pager as it grows, and stop at once on Ctrl-C.
 */
export async function listEvents(session: Session, client: AuditClient, request: ListRequest): Promise<void> {
  const { context } = session;
  const { format } = request;
  const terminal = context.stdout as NodeJS.WriteStream;
  const rows = terminal.rows ?? DEFAULT_ROWS;
  const paged =
    format === 'table' && session.stdoutIsTerminal
      ? pagedOutput({ env: context.env, stdout: context.stdout, rows })
      : undefined;
  const out = paged?.stream ?? context.stdout;
  let stopped: 'closed' | 'interrupted' | undefined;
  const stop = new Promise<void>((resolve) => {
    const onClosed = () => {
      stopped ??= 'closed';
      resolve();
    };
    guardClosedPipe(context.stdout, onClosed);
    if (paged) guardClosedPipe(paged.stream, onClosed);
    void context.interrupted.then(() => {
      stopped ??= 'interrupted';
      resolve();
    });
  });
  let hiddenNote: string | undefined;
  const output = request.output ?? {};
  const writer =
    output.jq !== undefined && output.fields !== undefined
      ? await jqListWriter(output.jq, output.fields, session)
      : createListWriter(format, out, {
          zone: session.zone,
          color: session.color,
          terminalWidth: session.stdoutIsTerminal ? terminal.columns : undefined,
          sampleRows: session.stdoutIsTerminal ? rows : undefined,
          // --columns chooses them; --wide then only keeps them whole.
          columns: output.columns ?? (request.wide ? WIDE_COLUMNS : undefined),
          csvColumns: output.csvColumns,
          fields: output.fields,
          wide: request.wide,
          onHiddenColumns: (note) => {
            hiddenNote = note;
          },
        });

  let truncated: boolean;
  try {
    truncated = await writeEvents(client, request, writer, () => stopped !== undefined, stop);
    await Promise.race([writer.end(), stop]);
    if (!stopped && paged) await Promise.race([paged.finish(), stop]);
  } catch (error) {
    // The pager keeps what it was given: the user reads it, quits it, then sees the error.
    await (context.signal.aborted ? paged?.abort() : paged?.finish().catch(() => undefined));
    throw error;
  }
  if (stopped === 'closed') return;
  if (stopped === 'interrupted') {
    await paged?.abort();
    throw context.signal.reason ?? new Error('interrupted');
  }
  if (hiddenNote) writeLine(context.stderr, hiddenNote);
  if (writer.count === 0) writeLine(context.stderr, 'No events found.');
  else if (truncated && session.stdoutIsTerminal) {
    writeLine(context.stderr, `Showing the newest ${writer.count}; use --limit N or --all for more.`);
  }
}

/**
 * Writes every page's events until the limit, or until `isStopped`; says whether more were left.
 * A page goes out as one chunk: 200,000 rows are 200 writes to the pager, not 200,000.
 */
async function writeEvents(
  client: AuditClient,
  request: ListRequest,
  writer: EventWriter,
  isStopped: () => boolean,
  stop: Promise<void>,
): Promise<boolean> {
  const { limit } = request;
  const perPage = Math.min(MAX_PAGE_SIZE, limit ?? MAX_PAGE_SIZE);
  // --all reads every page: the server makes the next one while this one is written.
  const ahead = limit === undefined;
  for await (const page of client.pages({ ...request.params, per_page: perPage }, { ahead })) {
    const room = limit === undefined ? page.data.length : limit - writer.count;
    await Promise.race([writer.writeMany({ events: page.data.slice(0, room) }), stop]);
    if (isStopped()) return false;
    if (room < page.data.length) return true;
    if (limit !== undefined && writer.count >= limit) return page.pagination.has_more;
  }
  return false;
}

/** `--jq`: jq and its filter load only now, checked before the first request. */
async function jqListWriter(expression: string, fields: readonly JsonField[], session: Session) {
  const { loadJqFilter, createJqListWriter } = await import('./output/jq-filter.js');
  const filter = await loadJqFilter(expression, { terminal: session.stdoutIsTerminal });
  return createJqListWriter(filter, fields, session.context.stdout);
}
