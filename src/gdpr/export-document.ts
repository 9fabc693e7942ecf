import type { EventJson } from './event-scan.js';

export interface ExportSummary {
  count: number;
  by_category: Record<string, number>;
  first: string | null;
  last: string | null;
}

/**
 * The subject-access answer `{"data": [...events], "summary": {...}}` as JSON text, written a
 * page of events at a time, so neither the server's memory nor its event loop holds the whole
 * answer. The events are JSON SQLite made, joined as they are. The summary comes last: it
 * counts what was written.
 */
export async function* exportDocument(
  pages: AsyncIterable<EventJson[]>,
  extra: Record<string, unknown>,
): AsyncGenerator<string> {
  const summary: ExportSummary = { count: 0, by_category: {}, first: null, last: null };
  let first: number | undefined;
  let last: number | undefined;
  yield '{"data":[';
  for await (const page of pages) {
    if (page.length === 0) continue;
    const parts: string[] = [];
    for (const event of page) {
      parts.push(event.json);
      summary.count++;
      summary.by_category[event.category] = (summary.by_category[event.category] ?? 0) + 1;
      if (first === undefined || event.ts < first) first = event.ts;
      if (last === undefined || event.ts > last) last = event.ts;
    }
    yield (summary.count > page.length ? ',' : '') + parts.join(',');
  }
  // The event's own timestamp text: EVENT_JSON's time is toISOString's for years 0000–9999.
  if (first !== undefined) summary.first = new Date(first).toISOString();
  if (last !== undefined) summary.last = new Date(last).toISOString();
  yield `],"summary":${JSON.stringify({ ...summary, ...extra })}}`;
}
