import type { AuditEvent } from '../domain/event.js';

export interface ExportSummary {
  count: number;
  by_category: Record<string, number>;
  first: string | null;
  last: string | null;
}

/**
 * The subject-access answer `{"data": [...events], "summary": {...}}` as JSON text, written a
 * page of events at a time, so neither the server's memory nor its event loop holds the whole
 * answer. The summary comes last: it counts what was written.
 */
export async function* exportDocument(
  pages: AsyncIterable<AuditEvent[]>,
  extra: Record<string, unknown>,
): AsyncGenerator<string> {
  const summary: ExportSummary = { count: 0, by_category: {}, first: null, last: null };
  yield '{"data":[';
  for await (const page of pages) {
    if (page.length === 0) continue;
    const parts: string[] = [];
    for (const event of page) {
      parts.push(JSON.stringify(event));
      add(summary, event);
    }
    yield (summary.count > page.length ? ',' : '') + parts.join(',');
  }
  yield `],"summary":${JSON.stringify({ ...summary, ...extra })}}`;
}

function add(summary: ExportSummary, event: AuditEvent): void {
  summary.count++;
  summary.by_category[event.category] = (summary.by_category[event.category] ?? 0) + 1;
  if (summary.first === null || event.timestamp < summary.first) summary.first = event.timestamp;
  if (summary.last === null || event.timestamp > summary.last) summary.last = event.timestamp;
}
