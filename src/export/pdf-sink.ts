/**
 * The PDF renderer pulls events from an async iterable while the exporter pushes them page by
 * page; this adapter joins the two with a bounded queue, so memory stays at about one page.
 */
import type { AuditEvent } from '../client/types.js';
import { MAX_PAGE_SIZE } from '../domain/request-limits.js';
import type { PdfReportOptions, RenderProgress } from './pdf/types.js';

export type { PdfReportOptions, RenderProgress };

const QUEUE_LIMIT = MAX_PAGE_SIZE;

export interface PdfWriter {
  readonly count: number;
  write(event: AuditEvent): Promise<void>;
  end(): Promise<void>;
  /** Stop feeding the renderer; what it wrote is discarded by the caller. */
  abandon(): void;
}

export function writePdf(out: NodeJS.WritableStream, options: PdfReportOptions): PdfWriter {
  const queue: AuditEvent[] = [];
  let ended = false;
  let abandoned = false;
  let count = 0;
  let wakeReader: (() => void) | undefined;
  let wakeWriter: (() => void) | undefined;
  const wake = (which: 'reader' | 'writer') => {
    const resume = which === 'reader' ? wakeReader : wakeWriter;
    if (which === 'reader') wakeReader = undefined;
    else wakeWriter = undefined;
    resume?.();
  };

  async function* events(): AsyncGenerator<AuditEvent> {
    for (;;) {
      const event = queue.shift();
      if (event) {
        wake('writer');
        yield event;
        continue;
      }
      if (ended || abandoned) return;
      await new Promise<void>((resolve) => {
        wakeReader = resolve;
      });
    }
  }

  const rendering = loadRenderer().then((render) => render(events(), options, out));
  // Settled once, so a renderer failure reaches whichever call comes next.
  const stopped = rendering.then(
    () => new Error('the PDF renderer stopped before the last event'),
    (error: unknown) => error,
  );
  rendering.catch(() => undefined);

  return {
    get count() {
      return count;
    },
    async write(event) {
      queue.push(event);
      count++;
      wake('reader');
      while (queue.length >= QUEUE_LIMIT) {
        const room = new Promise<void>((resolve) => {
          wakeWriter = resolve;
        });
        const failure = await Promise.race([room.then(() => undefined), stopped]);
        if (failure !== undefined) throw failure;
      }
    },
    async end() {
      ended = true;
      wake('reader');
      await rendering;
    },
    abandon() {
      abandoned = true;
      queue.length = 0;
      wake('reader');
    },
  };
}

/** pdfkit and its fonts load only for `--format pdf`. */
async function loadRenderer() {
  return (await import('./pdf/index.js')).writePdfReport;
}
