/**
 * `--format md`: the review as Markdown for an auditor or a ticket. Server text is sanitized and
 * its Markdown characters escaped, so a finding cannot add a link, an image or HTML; code blocks
 * are fenced with more backticks than they contain.
 */
import type { SecurityReview } from '../../client/types.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import { formatTimestamp } from '../../format/time-format.js';
import { renderFindingChart } from '../output/charts/finding-chart.js';
import { logsCommandLine } from './logs-command.js';
import { findingFacts, reviewHeading } from './review-text.js';

export interface MarkdownReviewOptions {
  zone: string;
  /** Server, organization: shown under the title when known. */
  source?: string | undefined;
}

/** Charts are drawn for a reader's editor or browser, not a terminal: a width that fits most. */
const CHART_COLUMNS = 72;

export function reviewMarkdown(review: SecurityReview, options: MarkdownReviewOptions): string {
  const out = ['# Security review', ''];
  const heading = reviewHeading(review, options.zone);
  if (options.source) out.push(`- **Log:** ${markdownText(options.source)}`);
  out.push(
    `- **Period:** ${markdownText(heading.period)}`,
    `- **Generated:** ${markdownText(formatTimestamp(review.generated_at, options.zone))} (${markdownText(options.zone)})`,
    `- **Findings:** ${heading.findings}`,
    '',
  );
  if (review.findings.length === 0) {
    out.push('No findings: nothing in this period matched a review rule.', '');
    return out.join('\n');
  }
  review.findings.forEach((finding, index) => {
    const { label, when, counts, ids, more } = findingFacts(finding, options.zone);
    out.push(`## ${index + 1}. ${label}: ${markdownText(finding.summary)}`, '');
    out.push(`- **Rule:** ${markdownText(finding.rule)}`);
    if (when) out.push(`- **When:** ${markdownText(when)}`);
    if (counts) out.push(`- **Counts:** ${markdownText(counts)}`);
    if (ids.length > 0) {
      const list = ids.map(markdownText).join(', ') + (more > 0 ? `, and ${more} more` : '');
      out.push(`- **Events (${ids.length + more}):** ${list}`);
    }
    out.push('');
    const commands = (Array.isArray(finding.queries) ? finding.queries : []).map(logsCommandLine);
    if (commands.length > 0) out.push(...fenced('sh', commands), '');
    if (finding.chart)
      out.push(
        ...fenced('text', renderFindingChart(finding.chart, { width: CHART_COLUMNS, color: false })),
        '',
      );
  });
  return out.join('\n');
}

/** Server text as Markdown that shows it literally: one line, every Markdown character escaped. */
export function markdownText(text: string): string {
  // Only characters that mean something mid-line: server text never starts a line here.
  return sanitizeForDisplay(text).replace(/[\\`*_{}[\]<>#|~&]/g, '\\$&');
}

/** A code block whose fence is longer than any run of backticks inside it. */
function fenced(language: string, lines: string[]): string[] {
  const longest = Math.max(
    0,
    ...lines.map((line) => Math.max(0, ...(line.match(/`+/g) ?? []).map((run) => run.length))),
  );
  const fence = '`'.repeat(Math.max(3, longest + 1));
  return [`${fence}${language}`, ...lines, fence];
}
