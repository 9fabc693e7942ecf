import { describe, expect, it } from 'vitest';
import { importSummary } from '../../src/cli/import-report.js';
import { MAX_BODY_BYTES } from '../../src/domain/request-limits.js';
import type { ImportRecord } from '../../src/import/readers.js';
import { importRecords } from '../../src/import/run.js';

const accept = async (events: unknown[]) => ({ created: events.length, duplicates: 0 });

describe('import batches against the server limits', () => {
  it('keeps every batch under the server body limit, however large the events', async () => {
    const big = 'x'.repeat(60_000);
    const large = async function* (): AsyncGenerator<ImportRecord> {
      for (let n = 1; n <= 300; n++)
        yield { where: `line ${n}`, event: { action: 'a.b', metadata: { big } } };
    };
    const bodies: number[] = [];
    const progress = await importRecords(large(), {
      ingest: async (events) => {
        bodies.push(Buffer.byteLength(JSON.stringify({ events })));
        return accept(events);
      },
    });
    expect(progress.sent).toBe(300);
    expect(bodies.length).toBeGreaterThan(3);
    for (const bytes of bodies) expect(bytes).toBeLessThanOrEqual(MAX_BODY_BYTES);
  });

  it("leaves the server's own records out, counts them and says so", async () => {
    const backup = async function* (): AsyncGenerator<ImportRecord> {
      yield { where: 'line 1', event: { id: 'log_1', action: 'user.login' } };
      yield { where: 'line 2', event: { action: 'audit.retention_purged', metadata: { count: 3 } } };
      yield { where: 'line 3', event: { action: 'team.member_added', actor: { id: 'system' } } };
    };
    const sent: string[] = [];
    const progress = await importRecords(backup(), {
      ingest: async (events) => {
        sent.push(...events.map((event) => event.action));
        return accept(events);
      },
    });
    expect(sent).toEqual(['user.login']);
    expect(progress).toMatchObject({ read: 3, sent: 1, serverRecords: 2 });
    expect(importSummary(progress, 'b.ndjson', false)).toBe(
      "Imported 1 event from b.ndjson: 1 new, 0 already present. 2 records of the server's own " +
        '(such as audit.retention_purged) were left out: a server writes those only about itself.',
    );
    const dry = await importRecords(backup());
    expect(importSummary(dry, 'b.ndjson', true)).toContain('2 records of the server');
  });
});
