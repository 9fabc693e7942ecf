/** The questions `audit export` asks on a terminal when no range was given. */
import type { ExportAnswers } from '../../export/plan.js';
import type { ExportFormat } from '../../export/types.js';
import { formatTimestamp, zoneLabel } from '../../format/time-format.js';
import type { CliContext } from '../context.js';
import { parseFromFlag, parseToFlag } from '../dates.js';
import { CliError, EXIT, UsageError } from '../errors.js';

export interface ExportQuestions {
  zone: string;
  now: number;
  /** Set when --format was given: not asked. */
  format?: ExportFormat | undefined;
  /** Set when -o was given: not asked. */
  output?: string | undefined;
  defaultName(from: string, to: string, format: ExportFormat): string;
}

const RANGES = [
  { name: 'Last 24 hours', value: '24h' },
  { name: 'Last 7 days', value: '7d' },
  { name: 'Last 30 days', value: '30d' },
  { name: 'Custom range…', value: 'custom' },
] as const;

const FORMATS: { name: string; value: ExportFormat }[] = [
  { name: 'CSV (spreadsheets)', value: 'csv' },
  { name: 'JSON (one array)', value: 'json' },
  { name: 'NDJSON (one event a line)', value: 'ndjson' },
  { name: 'PDF (printable report)', value: 'pdf' },
];

export async function askExport(context: CliContext, questions: ExportQuestions): Promise<ExportAnswers> {
  const prompts = await import('@inquirer/prompts');
  const io = { input: context.stdin, output: context.stderr as NodeJS.WriteStream };
  const dates = { zone: questions.zone, now: questions.now };
  const check = (parse: (text: string) => unknown) => (text: string) => {
    try {
      parse(text);
      return true;
    } catch (error) {
      return error instanceof UsageError ? error.message : String(error);
    }
  };
  try {
    const range = await prompts.select({ message: 'Range', choices: [...RANGES] }, io);
    let from: string = range;
    let to = 'now';
    if (range === 'custom') {
      from = await prompts.input(
        {
          message: 'From (2024-01-31, 2024-01-31T14:00, an ISO time, 24h)',
          validate: check((text) => parseFromFlag(text, dates)),
        },
        io,
      );
      const start = parseFromFlag(from, dates);
      // Checked as it is typed, not after the questions that follow: asked again right here.
      to = await prompts.input(
        {
          message: 'To, inclusive (a day means all of it)',
          default: 'now',
          validate: check((text) => {
            const end = parseToFlag(text, dates);
            if (Date.parse(end) < Date.parse(start)) {
              const shown = (iso: string) =>
                `${formatTimestamp(iso, questions.zone)} ${zoneLabel(questions.zone, Date.parse(iso))}`;
              throw new UsageError(
                `${shown(end)} is before From (${shown(start)}); give a later date or time`,
              );
            }
          }),
        },
        io,
      );
    }
    const format =
      questions.format ??
      (await prompts.select({ message: 'Format', choices: FORMATS, default: 'csv' as ExportFormat }, io));
    const output =
      questions.output ??
      (await prompts.input(
        { message: 'File (- for standard output)', default: questions.defaultName(from, to, format) },
        io,
      ));
    return { from, to, format, output: output.trim() };
  } catch (error) {
    // Ctrl-C at a question: inquirer's ExitPromptError.
    if (error instanceof Error && error.name === 'ExitPromptError') {
      throw new CliError('export cancelled', EXIT.interrupted);
    }
    throw error;
  }
}
