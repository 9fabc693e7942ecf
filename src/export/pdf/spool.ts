/**
 * The summary comes first in the report but needs every event counted: events are spooled to a
 * temporary NDJSON file while counting, then read back one line at a time, so memory holds only
 * the counters (a few per day) whatever the number of events.
 */
import { once } from 'node:events';
import { createReadStream, createWriteStream } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { AuditEvent } from '../../domain/event.js';
import { isSecurityRelevant } from '../../domain/security-relevant.js';
import { zonedFields } from '../../domain/zoned-time.js';
import { textLines } from '../../format/text-lines.js';

export interface SpoolStats {
  count: number;
  /** Security-relevant events (see `isSecurityRelevant`). */
  security: number;
  byCategory: Map<string, number>;
  /** `YYYY-MM-DD` in the display zone (or `unknown` for an unreadable timestamp) → count. */
  byDay: Map<string, number>;
  /** Earliest and latest timestamps seen, in milliseconds. */
  first?: number;
  last?: number;
}

export interface Spool {
  readonly file: string;
  /** Writes every event to the file; returns the counts. */
  fill(events: AsyncIterable<AuditEvent>, zone: string): Promise<SpoolStats>;
  /** The events back, in order, one at a time. */
  read(): AsyncGenerator<AuditEvent>;
  remove(): Promise<void>;
}

const pad = (value: number, width = 2) => String(value).padStart(width, '0');

export function dayKey(timestamp: string, zone: string): string {
  const ms = Date.parse(timestamp);
  if (Number.isNaN(ms)) return 'unknown';
  const { year, month, day } = zonedFields(ms, zone);
  return `${pad(year, 4)}-${pad(month)}-${pad(day)}`;
}

const increment = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

export async function createSpool(): Promise<Spool> {
  const directory = await mkdtemp(join(tmpdir(), 'audit-pdf-'));
  const file = join(directory, 'events.ndjson');
  return {
    file,
    async fill(events, zone) {
      const stats: SpoolStats = { count: 0, security: 0, byCategory: new Map(), byDay: new Map() };
      const stream = createWriteStream(file);
      const failed = once(stream, 'error').then(([error]) => Promise.reject(error));
      failed.catch(() => undefined);
      try {
        for await (const event of events) {
          stats.count++;
          if (isSecurityRelevant(event)) stats.security++;
          increment(stats.byCategory, String(event.category));
          increment(stats.byDay, dayKey(event.timestamp, zone));
          const ms = Date.parse(event.timestamp);
          if (!Number.isNaN(ms)) {
            stats.first = Math.min(stats.first ?? ms, ms);
            stats.last = Math.max(stats.last ?? ms, ms);
          }
          // JSON escapes CR and LF inside strings: one event is exactly one line.
          if (!stream.write(`${JSON.stringify(event)}\n`)) {
            await Promise.race([once(stream, 'drain'), failed]);
          }
        }
        stream.end();
        await Promise.race([once(stream, 'finish'), failed]);
      } finally {
        stream.destroy();
      }
      return stats;
    },
    async *read() {
      const input = createReadStream(file, { encoding: 'utf8' });
      try {
        for await (const line of textLines(input)) {
          if (line !== '') yield JSON.parse(line) as AuditEvent;
        }
      } finally {
        input.destroy();
      }
    },
    remove: () => rm(directory, { recursive: true, force: true }),
  };
}
