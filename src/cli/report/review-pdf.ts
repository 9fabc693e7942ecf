/**
 * `--format pdf`: the review as a printable report, drawn with the export's PDF pieces (page
 * flow with header and footer, WinAnsi-safe text, wrapping). Loaded only for --format pdf.
 */
import PDFDocument from 'pdfkit';
import type { SecurityReview } from '../../client/types.js';
import type { FindingChart, Severity } from '../../domain/review.js';
import { BOLD, FONT, MUTED, PAGE_SIZE, PageFlow } from '../../export/pdf/layout.js';
import { type Measure, pdfText } from '../../export/pdf/text.js';
import { formatTimestamp } from '../../format/time-format.js';
import { logsCommandLine } from './logs-command.js';
import { count, type Finding, findingFacts, reviewHeading } from './review-text.js';

export interface PdfReviewOptions {
  zone: string;
  /** Server and organization, for the title and the running header. */
  source: string;
}

const SEVERITY_FILL: Record<Severity, string> = {
  high: '#c0392b',
  medium: '#d68910',
  low: '#2e86c1',
  info: '#7f8c8d',
};
const TAG_WIDTH = 48;
const MONO = 'Courier';
const BAR_FILL = '#5d6d7e';

/** The whole PDF, in memory: a review is a few pages. */
export function reviewPdf(review: SecurityReview, options: PdfReviewOptions): Promise<Buffer> {
  const generatedAt = new Date(Date.parse(review.generated_at) || Date.now());
  const heading = reviewHeading(review, options.zone);
  const period = pdfText(heading.period);
  const doc = new PDFDocument({
    size: PAGE_SIZE,
    autoFirstPage: false,
    info: {
      Title: 'Security review',
      Author: pdfText(options.source),
      Subject: period,
      Creator: 'audit',
      CreationDate: generatedAt,
    },
  });
  const chunks: Buffer[] = [];
  const done = new Promise<Buffer>((resolve, reject) => {
    doc.on('data', (chunk: Buffer) => chunks.push(chunk));
    doc.on('end', () => resolve(Buffer.concat(chunks)));
    doc.on('error', reject);
  });
  const flow = new PageFlow(doc, {
    header: [pdfText(`Security review - ${options.source}`), period],
    footer: pdfText(`Generated ${formatTimestamp(review.generated_at, options.zone)} (${options.zone})`),
  });
  let y = flow.newPage();
  y = flow.paragraph('Security review', flow.left, y, flow.width, 1, { font: BOLD, size: 20 }) + 4;
  y = flow.paragraph(pdfText(options.source), flow.left, y, flow.width, 2, { size: 12, color: MUTED }) + 8;
  for (const [label, value] of [
    ['Period', period],
    ['Findings', pdfText(heading.findings)],
  ]) {
    flow.text(label ?? '', flow.left, y, { font: BOLD, size: 9.5 });
    y = flow.paragraph(value ?? '', flow.left + 70, y, flow.width - 70, 2, { size: 9.5 }) + 2;
  }
  y += 12;
  if (review.findings.length === 0)
    flow.paragraph(
      'No findings: nothing in this period matched a review rule.',
      flow.left,
      y,
      flow.width,
      1,
      {
        size: 11,
      },
    );
  const cursor = { y };
  for (const finding of review.findings) drawFinding(flow, cursor, finding, options.zone);
  doc.end();
  return done;
}

/** Moves to a new page when `height` points do not fit below `cursor.y`. */
function room(flow: PageFlow, cursor: { y: number }, height: number): void {
  if (cursor.y + height > flow.bottom) cursor.y = flow.newPage();
}

function drawFinding(flow: PageFlow, cursor: { y: number }, finding: Finding, zone: string): void {
  const { severity, label, when, counts, ids, more } = findingFacts(finding, zone);
  const left = flow.left + TAG_WIDTH + 8;
  const width = flow.right - left;
  room(flow, cursor, 60);
  flow.rect(flow.left, cursor.y - 1, TAG_WIDTH, 13, SEVERITY_FILL[severity]);
  flow.text(label, flow.left, cursor.y + 1.5, {
    font: BOLD,
    size: 8,
    color: '#ffffff',
    width: TAG_WIDTH,
    align: 'center',
  });
  cursor.y =
    flow.paragraph(pdfText(finding.summary), left, cursor.y, width, 4, { font: BOLD, size: 10.5 }) + 2;
  const facts = [when, counts, pdfText(finding.rule)].filter(Boolean);
  cursor.y =
    flow.paragraph(pdfText(facts.join(' · ')), left, cursor.y, width, 2, { size: 8.5, color: MUTED }) + 2;
  if (ids.length > 0) {
    const words = [
      `Events (${count(ids.length + more)}):`,
      ...ids.map((id, index) => `${pdfText(id)}${index < ids.length - 1 || more > 0 ? ',' : ''}`),
      ...(more > 0 ? [`and ${count(more)} more`] : []),
    ];
    const lines = packWords(words, width, flow.use(FONT, 8));
    room(flow, cursor, lines.length * 10 + 4);
    for (const line of lines) {
      flow.text(line, left, cursor.y, { size: 8 });
      cursor.y += 10;
    }
    cursor.y += 2;
  }
  for (const query of Array.isArray(finding.queries) ? finding.queries : []) {
    room(flow, cursor, 30);
    cursor.y = flow.paragraph(pdfText(`$ ${logsCommandLine(query)}`), left, cursor.y, width, 3, {
      font: MONO,
      size: 8,
    });
  }
  if (finding.chart) drawChart(flow, cursor, finding.chart, left, width);
  cursor.y += 14;
}

/** Words in lines no wider than `width`, broken only between words: an event id stays whole. */
function packWords(words: string[], width: number, measure: Measure): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of words) {
    const next = line === '' ? word : `${line} ${word}`;
    if (line !== '' && measure(next) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line !== '') lines.push(line);
  return lines;
}

function drawChart(flow: PageFlow, cursor: { y: number }, chart: FindingChart, left: number, width: number) {
  cursor.y += 4;
  if (chart.kind === 'bars') {
    const bars = chart.bars.slice(0, 10);
    room(flow, cursor, 16 + bars.length * 11);
    flow.text(pdfText(chart.title), left, cursor.y, { font: BOLD, size: 8.5, width });
    cursor.y += 13;
    const most = Math.max(1, ...bars.map((bar) => bar.count));
    const labelWidth = 150;
    const barWidth = Math.min(260, width - labelWidth - 60);
    for (const bar of bars) {
      flow.text(pdfText(bar.label), left, cursor.y, { size: 8, width: labelWidth - 6 });
      const length = Math.max(1, (barWidth * bar.count) / most);
      flow.rect(left + labelWidth, cursor.y + 1, length, 7, BAR_FILL);
      flow.text(count(bar.count), left + labelWidth + length + 4, cursor.y, { size: 8 });
      cursor.y += 11;
    }
    return;
  }
  const points = chart.points;
  const height = 50;
  room(flow, cursor, height + 32);
  flow.text(pdfText(chart.title), left, cursor.y, { font: BOLD, size: 8.5, width });
  cursor.y += 13;
  const most = Math.max(1, ...points.map((point) => point.count));
  const step = Math.min(14, width / Math.max(1, points.length));
  const base = cursor.y + height;
  points.forEach((point, index) => {
    const bar = (height * point.count) / most;
    if (bar > 0) flow.rect(left + index * step, base - bar, Math.max(1, step - 1.5), bar, BAR_FILL);
  });
  flow.rule(left, left + step * points.length, base);
  const first = points[0];
  const last = points[points.length - 1];
  if (first) flow.text(pdfText(first.at), left, base + 3, { size: 7, color: MUTED });
  if (last && last !== first)
    flow.text(pdfText(last.at), left, base + 3, {
      size: 7,
      color: MUTED,
      width: step * points.length,
      align: 'right',
    });
  flow.text(`max ${count(most)}`, left + step * points.length + 6, cursor.y, { size: 7, color: MUTED });
  cursor.y = base + 14;
}
