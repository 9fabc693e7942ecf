import { Writable } from 'node:stream';
import type { AuditClient } from '../client/client.js';
import type { ListParams } from '../client/types.js';
import { MAX_PAGE_SIZE } from '../domain/request-limits.js';
import type { JsonField } from '../format/column-choice.js';
import { writeLine } from './context.js';
import { createListWriter } from './output/event-writer.js';
import { shouldPage, startPager } from './output/pager.js';
import { guardClosedPipe } from './output/pipe.js';
import type { OutputChoice } from './output-options.js';
import type { ListFormat, Session } from './session.js';

export interface ListRequest {
  params: ListParams;
  format: ListFormat;
  /** Stop after this many events; undefined follows every page (`--all`). */
  limit: number | undefined;
  /** What `--columns`, `--json` and `--jq` chose. */
  output?: OutputChoice;
}

/**
 * The shared body of `logs` and `search`: page through the API, render through one writer,
 * stop quietly when the reader of a pipe goes away, and page long tables on a terminal.
 */
export async function listEvents(session: Session, client: AuditClient, request: ListRequest): Promise<void> {
  const { context } = session;
  const { format } = request;
  const paging = format === 'table' && session.stdoutIsTerminal;
  const buffer = paging ? collectingStream() : undefined;
  const out = buffer?.stream ?? context.stdout;
  let pipeClosed = false;
  const closed = new Promise<void>((resolve) =>
    guardClosedPipe(context.stdout, () => {
      pipeClosed = true;
      resolve();
    }),
  );
  const output = request.output ?? {};
  const writer =
    output.jq !== undefined && output.fields !== undefined
      ? await jqListWriter(output.jq, output.fields, session)
      : createListWriter(format, out, {
          zone: session.zone,
          color: session.color,
          terminalWidth: (context.stdout as NodeJS.WriteStream).columns,
          ...output,
        });

  const perPage = Math.min(MAX_PAGE_SIZE, request.limit ?? MAX_PAGE_SIZE);
  let truncated = false;
  pages: for await (const page of client.pages({ ...request.params, per_page: perPage })) {
    for (const [index, event] of page.data.entries()) {
      if (request.limit !== undefined && writer.count >= request.limit) {
        truncated = index < page.data.length || page.pagination.has_more;
        break pages;
      }
      await Promise.race([writer.write(event), closed]);
      if (pipeClosed) return;
    }
    if (request.limit !== undefined && writer.count >= request.limit && page.pagination.has_more) {
      truncated = true;
      break;
    }
  }
  await Promise.race([writer.end(), closed]);
  if (pipeClosed) return;
  if (buffer) await flushPaged(session, buffer.text());
  if (writer.count === 0) writeLine(context.stderr, 'No events found.');
  else if (truncated && session.stdoutIsTerminal) {
    writeLine(context.stderr, `Showing the newest ${writer.count}; use --limit N or --all for more.`);
  }
}

/** `--jq`: jq and its filter load only now, checked before the first request. */
async function jqListWriter(expression: string, fields: readonly JsonField[], session: Session) {
  const { loadJqFilter, createJqListWriter } = await import('./output/jq-filter.js');
  const filter = await loadJqFilter(expression, { terminal: session.stdoutIsTerminal });
  return createJqListWriter(filter, fields, session.context.stdout);
}

async function flushPaged(session: Session, text: string): Promise<void> {
  const { context } = session;
  const rows = (context.stdout as NodeJS.WriteStream).rows ?? 24;
  const pager = shouldPage(text.split('\n').length, rows)
    ? startPager({ env: context.env, stdout: context.stdout })
    : undefined;
  if (!pager) {
    context.stdout.write(text);
    return;
  }
  pager.stream.end(text);
  await pager.done;
}

function collectingStream() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer | string, _encoding: string, callback: () => void) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}
