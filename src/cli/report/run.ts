/**
 * `audit report security`: asks the server for the review, renders it in the chosen format to
 * stdout or --file, and with --fail-on ends with exit 3 when a finding is at or above it.
 */
import type { Command } from 'commander';
import { fetchSecurityReview } from '../../client/insights.js';
import type { ReviewParams, SecurityReview } from '../../client/types.js';
import { openOutputFile } from '../../export/atomic-file.js';
import { counted } from '../../format/counted.js';
import { stringifyJsonSafely } from '../../format/sanitize.js';
import type { SecurityReportOptions } from '../commands/report.js';
import type { CliContext } from '../context.js';
import { checkRange, parseFromFlag, parseToFlag } from '../dates.js';
import { CliError, EXIT, UsageError } from '../errors.js';
import { chartWidth } from '../output/charts/width.js';
import { openSession, type Session } from '../session.js';
import { reviewMarkdown } from './review-markdown.js';
import { reviewTerminalLines } from './review-terminal.js';
import { findingsAtOrAbove } from './review-text.js';

type ReportFormat = 'text' | 'json' | 'md' | 'pdf';

const DEFAULT_COLUMNS = 80;

export async function runSecurityReport(
  context: CliContext,
  command: Command,
  options: SecurityReportOptions,
): Promise<void> {
  const session = await openSession(context, command);
  const format = reportFormat(session, options);
  const params = reviewParams(options, session);
  const client = await session.client();
  const review = await fetchSecurityReview(client, params).finally(() => client.close());
  const connection = await session.connection();
  const source = `organization ${connection.org} at ${client.server}`;
  const content = await render(review, format, session, options, source);
  if (options.file === undefined) context.stdout.write(content);
  else {
    await writeReportFile(options.file, content);
    context.stderr.write(`Wrote the security review to ${options.file}\n`);
  }
  if (options.failOn === undefined) return;
  const failing = findingsAtOrAbove(review, options.failOn).length;
  if (failing > 0)
    throw new CliError(
      `${counted(failing, 'finding')} at or above ${options.failOn} (--fail-on ${options.failOn})`,
      EXIT.findings,
    );
}

function reportFormat(session: Session, options: SecurityReportOptions): ReportFormat {
  const output = session.flags.output;
  if (output !== undefined && output !== 'json')
    throw new UsageError(`--output for report security must be json; got "${output}" (for a file: --file)`);
  if (output === 'json' && options.format !== undefined)
    throw new UsageError(`-o json and --format ${options.format} are two formats; give one of them`);
  if (options.file === '') throw new UsageError('--file needs a file name');
  const format = output === 'json' ? 'json' : (options.format ?? 'text');
  // A PDF on a terminal is binary noise that can steer the terminal.
  if (format === 'pdf' && options.file === undefined && session.stdoutIsTerminal)
    throw new UsageError('a PDF is not for a terminal: write it with --file review.pdf (or pipe it)');
  return format;
}

function reviewParams(options: SecurityReportOptions, session: Session): ReviewParams {
  if (options.since !== undefined && options.from !== undefined)
    throw new UsageError('--since and --from cannot be used together; give one of them');
  const dates = { zone: session.zone, now: session.context.now() };
  const params: ReviewParams = { tz: session.zone };
  if (options.since !== undefined) params.since = options.since;
  if (options.from !== undefined) params.from = parseFromFlag(options.from, dates);
  if (options.to !== undefined) params.to = parseToFlag(options.to, dates);
  checkRange(params.from, params.to);
  return params;
}

async function render(
  review: SecurityReview,
  format: ReportFormat,
  session: Session,
  options: SecurityReportOptions,
  source: string,
): Promise<string | Buffer> {
  const zone = session.zone;
  if (format === 'json') return `${stringifyJsonSafely(review, 2)}\n`;
  if (format === 'md') return reviewMarkdown(review, { zone, source });
  if (format === 'pdf') {
    const { reviewPdf } = await import('./review-pdf.js');
    return reviewPdf(review, { zone, source });
  }
  const toFile = options.file !== undefined;
  const { context } = session;
  const lines = reviewTerminalLines(review, {
    zone,
    color: session.color && !toFile,
    width: toFile ? DEFAULT_COLUMNS : chartWidth(context.env, context.stdout as { columns?: number }),
  });
  return `${lines.join('\n')}\n`;
}

/** Written whole or not at all, mode 0600: `NAME.partial`, fsynced, renamed. */
async function writeReportFile(path: string, content: string | Buffer): Promise<void> {
  const file = await openOutputFile(path, { namedByUser: true });
  try {
    await new Promise<void>((resolve, reject) =>
      file.stream.write(content, (error) => (error ? reject(error) : resolve())),
    );
    await file.commit();
  } catch (error) {
    await file.discard().catch(() => undefined);
    throw error;
  }
}
