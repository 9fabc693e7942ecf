/**
 * `--format pdf`: a printable report of an export. Events are spooled to a temporary file while
 * they are counted (the summary comes first), then drawn page by page into pdfkit, which writes
 * each page to `out` as soon as the next one begins: memory stays flat however many events.
 */
import PDFDocument from 'pdfkit';
import type { AuditEvent } from '../../domain/event.js';
import { formatTimestamp, zoneLabel } from '../../format/time-format.js';
import { EventTable } from './event-table.js';
import { PAGE_SIZE, PageFlow } from './layout.js';
import { createSlicer } from './slices.js';
import { createSpool, type Spool, type SpoolStats } from './spool.js';
import { drawSummary } from './summary.js';
import { pdfText } from './text.js';
import type { PdfReportOptions } from './types.js';

/** PDF bytes pdfkit may hold that `out` has not taken yet before drawing pauses. */
const HIGH_WATER = 1 << 20;

/**
 * Streams events into a PDF: spools them to a temp NDJSON file while counting (constant memory),
 * then writes the summary first and the events after, page by page, to `out`. Resolves with the
 * number of events once `out` has finished; the temp file is removed in every case.
 */
export async function writePdfReport(
  events: AsyncIterable<AuditEvent>,
  options: PdfReportOptions,
  out: NodeJS.WritableStream,
): Promise<{ count: number }> {
  const spool = await createSpool();
  try {
    const stats = await spool.fill(events, options.zone);
    await render(spool, stats, options, out);
    return { count: stats.count };
  } finally {
    await spool.remove();
  }
}

async function render(
  spool: Spool,
  stats: SpoolStats,
  options: PdfReportOptions,
  out: NodeJS.WritableStream,
) {
  options.signal?.throwIfAborted();
  const generatedAt = options.generatedAt ?? new Date();
  const doc = new PDFDocument({
    size: PAGE_SIZE,
    layout: 'landscape',
    autoFirstPage: false,
    info: {
      Title: pdfText(options.title),
      Author: pdfText(options.organization),
      Subject: pdfText(options.period),
      Creator: 'audit',
      CreationDate: generatedAt,
    },
  });
  const output = watch(doc, out);
  doc.pipe(out);
  try {
    const title = `${pdfText(options.title)} \u2014 ${pdfText(options.organization)}`;
    const generated = `${formatTimestamp(generatedAt.toISOString(), options.zone)} ${zoneLabel(options.zone, generatedAt)}`;
    const footer = pdfText(`Generated ${generated}`);
    const flow = new PageFlow(doc, { header: [title, pdfText(options.period)], footer });
    drawSummary(flow, options, stats, generatedAt);
    const table = new EventTable(flow, options.zone);
    table.start();
    const slices = createSlicer(options.signal);
    const tableStart = flow.pageNumber;
    let rendered = 0;
    const report = () =>
      options.onProgress?.({
        page: flow.pageNumber,
        pages: estimatePages(tableStart, flow.pageNumber, rendered, stats.count),
        rendered,
        total: stats.count,
      });
    report();
    for await (const event of spool.read()) {
      if (table.add(event)) await output.room();
      rendered++;
      if (slices.due()) {
        report();
        await slices.pause();
      }
    }
    table.finish();
    report();
    doc.end();
    await output.finished;
  } catch (error) {
    doc.unpipe(out);
    doc.destroy();
    throw error;
  } finally {
    output.dispose();
  }
}

/**
 * The pages the report will have, from the rows per page so far (exact once every event is drawn;
 * a row's height depends on how its text wraps, so not before).
 */
function estimatePages(tableStart: number, page: number, rendered: number, total: number): number {
  const tablePages = page - tableStart + 1;
  if (rendered === 0 || rendered >= total) return page;
  return tableStart - 1 + Math.max(tablePages, Math.ceil((tablePages * total) / rendered));
}

/** `out`'s end (or failure), and a wait for `out` to catch up with what pdfkit has produced. */
function watch(doc: PDFKit.PDFDocument, out: NodeJS.WritableStream) {
  let failure: unknown;
  let settle: { resolve(): void; reject(error: unknown): void } | undefined;
  const finished = new Promise<void>((resolve, reject) => {
    settle = { resolve, reject };
  });
  finished.catch(() => undefined);
  const onError = (error: unknown) => {
    failure ??= error;
    settle?.reject(error);
  };
  const onDone = () => settle?.resolve();
  // pipe() never ends stdout or stderr: for those, all written is all pdfkit produced.
  const stdio = out === process.stdout || out === process.stderr;
  const [source, event] = stdio ? [doc, 'end'] : [out, 'finish'];
  source.on(event, onDone);
  out.on('error', onError);
  doc.on('error', onError);
  return {
    finished,
    async room() {
      while (doc.readableLength > HIGH_WATER && failure === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 5));
      }
      if (failure !== undefined) throw failure;
    },
    dispose() {
      source.removeListener(event, onDone);
      out.removeListener('error', onError);
      doc.removeListener('error', onError);
    },
  };
}
