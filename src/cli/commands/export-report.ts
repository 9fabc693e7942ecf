/**
 * What `audit export` says on stderr: a spinner with counts on a terminal, otherwise nothing
 * until one closing line; and, when interrupted, the command that resumes it.
 */

import { basename } from 'node:path';
import type { RetryInfo } from '../../client/http.js';
import type { ExportProgress, ExportResult, RenderProgress } from '../../export/types.js';
import { counted, groupDigits } from '../../format/counted.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';

export interface ExportReporter {
  progress(progress: ExportProgress): void;
  /** A PDF is being drawn (after its last event came in). */
  rendering(progress: RenderProgress & { file: string }): void;
  retry(info: RetryInfo): void;
  /** Success: the spinner turns into the summary, or the summary is printed. */
  done(summary: string): void;
  /** Clears the spinner before an error line. */
  stop(): void;
}

export async function createExportReporter(context: CliContext, target: string): Promise<ExportReporter> {
  // A pseudo-terminal without a size (some CI runners) would make the spinner redraw endlessly.
  if (!context.stderr.isTTY || !((context.stderr as NodeJS.WriteStream).columns > 0)) {
    return {
      progress() {},
      rendering() {},
      retry() {},
      done: (summary) => writeLine(context.stderr, summary),
      stop() {},
    };
  }
  const { default: ora } = await import('ora');
  const spinner = ora({
    stream: context.stderr,
    text: `Exporting to ${target}…`,
    discardStdin: false,
  }).start();
  let last: ExportProgress | undefined;
  let retrying = '';
  const render = () => {
    if (!last) return;
    const seconds = last.elapsedMs / 1000;
    const rate = seconds > 0 ? Math.round(last.events / seconds) : 0;
    const retries = last.retries > 0 ? `, ${groupDigits(last.retries)} retries` : '';
    spinner.text =
      `Exporting to ${last.file ?? target}: ${groupDigits(last.events)} events, ` +
      `${groupDigits(last.pages)} pages, ${groupDigits(rate)} events/s${retries}${retrying}`;
  };
  return {
    progress(progress) {
      last = progress;
      retrying = '';
      render();
    },
    rendering(progress) {
      spinner.text = renderingLine(progress);
      // The exact page count is shown at once: the spinner's next frame may come after the summary.
      if (progress.rendered === progress.total) spinner.render();
    },
    retry(info) {
      retrying = ` (retrying: ${info.reason}, next try in ${(info.delayMs / 1000).toFixed(1)} s)`;
      if (last) last = { ...last, retries: last.retries + 1 };
      render();
    },
    done: (summary) => {
      if (spinner.isSpinning) spinner.succeed(summary);
    },
    stop: () => {
      if (spinner.isSpinning) spinner.stop();
    },
  };
}

/** `Rendering PDF q1.pdf: page 120 of about 1,001 (3,400 of 30,000 events)`. */
export function renderingLine(progress: RenderProgress & { file: string }): string {
  const { page, pages, rendered, total } = progress;
  const name = progress.file === '-' ? 'standard output' : basename(progress.file);
  // Until a first row is drawn there is nothing to estimate the pages from.
  const of = rendered === 0 ? '' : ` of ${rendered < total ? 'about ' : ''}${groupDigits(pages)}`;
  return (
    `Rendering PDF ${name}: page ${groupDigits(page)}${of} ` +
    `(${groupDigits(rendered)} of ${groupDigits(total)} events)`
  );
}

export function exportSummary(result: ExportResult, target: string): string {
  const events = counted(result.count, 'event');
  const pages = counted(result.pages, 'page');
  const retries = result.retries > 0 ? `, ${groupDigits(result.retries)} retries` : '';
  return `Exported ${events} (${pages}${retries}) to ${describeFiles(result.files, target)} in ${(result.elapsedMs / 1000).toFixed(1)} s`;
}

function describeFiles(files: string[], target: string): string {
  if (files.length === 0) return `no file (nothing in the range for ${target})`;
  if (files[0] === '-') return 'standard output';
  if (files.length === 1) return files[0] as string;
  return `${files.length} files (${files[0]} … ${files.at(-1)})`;
}

/** The interruption line: how far it got, that no finished-looking file exists, how to resume. */
export function interruptionLine(
  result: ExportResult,
  target: string,
  resumeCommand: (cursor: string) => string,
): string {
  const interrupted = result.interrupted;
  if (!interrupted) return '';
  const why = interrupted.cause === 'network' ? ` (${interrupted.reason})` : '';
  const file = interrupted.partial?.replace(/\.partial$/, '') ?? target;
  const notWritten = file === '-' ? 'the output is incomplete' : `${file} was not written`;
  const next = interrupted.cursor
    ? `Resume with: ${resumeCommand(interrupted.cursor)}`
    : 'Run the same command again to export it.';
  return `Interrupted after ${groupDigits(result.count)} events${why}; ${notWritten}. ${next}`;
}
