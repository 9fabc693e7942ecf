/**
 * `audit report security` on a terminal (or piped as plain text): a header with the range and
 * the counts per severity, then each finding, most severe first, under a coloured label.
 */
import { Chalk } from 'chalk';
import type { SecurityReview } from '../../client/types.js';
import type { Severity } from '../../domain/review.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import { MIN_CHART_WIDTH } from '../output/charts/chart-text.js';
import { renderFindingChart } from '../output/charts/finding-chart.js';
import { cutToWidth, textWidth } from '../output/text-width.js';
import { logsCommandLine } from './logs-command.js';
import { type FindingFacts, findingFacts, reviewHeading } from './review-text.js';

export interface TerminalReviewOptions {
  zone: string;
  color: boolean;
  /** Terminal columns; lines of text are wrapped to it (commands are not: they must paste whole). */
  width: number;
}

const LABEL_WIDTH = 8;
const INDENT = ' '.repeat(LABEL_WIDTH);

export function reviewTerminalLines(review: SecurityReview, options: TerminalReviewOptions): string[] {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const styles: Record<Severity, (text: string) => string> = {
    high: chalk.red.bold,
    medium: chalk.yellow.bold,
    low: chalk.cyan,
    info: chalk.dim,
  };
  const width = Math.max(40, options.width);
  const heading = reviewHeading(review, options.zone);
  const lines = [
    ...wrap(`Security review · ${heading.period}`, width).map((line) => chalk.bold(line)),
    ...wrap(`Findings: ${heading.findings}`, width),
  ];
  if (review.findings.length === 0) {
    lines.push('', 'No findings: nothing in this period matched a review rule.');
    return lines;
  }
  for (const finding of review.findings) {
    const facts = findingFacts(finding, options.zone);
    const { severity, label } = facts;
    const summary = wrap(sanitizeForDisplay(finding.summary), width - LABEL_WIDTH);
    lines.push('', `${styles[severity](label)}${' '.repeat(LABEL_WIDTH - label.length)}${summary[0] ?? ''}`);
    for (const line of summary.slice(1)) lines.push(INDENT + line);
    const detail = [facts.when, facts.counts].filter(Boolean).join(' · ');
    if (detail) for (const line of wrap(detail, width - LABEL_WIDTH)) lines.push(INDENT + chalk.dim(line));
    lines.push(...idLines(facts, width - LABEL_WIDTH).map((line) => INDENT + line));
    for (const query of Array.isArray(finding.queries) ? finding.queries : [])
      lines.push(`${INDENT}$ ${logsCommandLine(query)}`);
    if (finding.chart) {
      // A chart is at least MIN_CHART_WIDTH wide: on a narrow terminal it starts at the margin.
      const indent = width - LABEL_WIDTH >= MIN_CHART_WIDTH ? INDENT : '';
      const chartOptions = { width: width - indent.length, color: options.color };
      for (const line of renderFindingChart(finding.chart, chartOptions)) lines.push(indent + line);
    }
  }
  return lines;
}

/** `28 events: log_a log_b … +18 more`, wrapped under its own start. */
function idLines({ ids, more }: FindingFacts, width: number): string[] {
  if (ids.length === 0) return [];
  const total = ids.length + more;
  const head = `${total} ${total === 1 ? 'event' : 'events'}: `;
  // Ids are never cut: each must stay whole to be copied into audit logs show.
  const words = [...ids, ...(more > 0 ? [`+${more} more`] : [])];
  return wrapWords(words, width - head.length, false).map((line, index) =>
    index === 0 ? head + line : ' '.repeat(head.length) + line,
  );
}

/** `text` in lines of at most `width` columns, broken at spaces; a word longer than a line is cut. */
export function wrap(text: string, width: number): string[] {
  return wrapWords(text.split(' ').filter(Boolean), width, true);
}

/** Words in lines of at most `width` columns; a word longer than a line is cut, or without `cut` left whole. */
function wrapWords(words: string[], width: number, cut: boolean): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const fitted = cut && textWidth(word) > width ? cutToWidth(word, width) : word;
    if (line === '') line = fitted;
    else if (textWidth(line) + 1 + textWidth(fitted) <= width) line += ` ${fitted}`;
    else {
      lines.push(line);
      line = fitted;
    }
  }
  if (line !== '') lines.push(line);
  return lines;
}
