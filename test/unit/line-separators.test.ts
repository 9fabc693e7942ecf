/**
 * Event text may hold U+2028 and U+2029, which JSON.stringify leaves unescaped. Node 24's readline
 * ends a line at them, so a reader built on it cuts one NDJSON event in two; these run on every
 * Node the suite runs on (.ci/run: 20 and 24).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { countEvents } from '../../src/backup/status.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { createSpool } from '../../src/export/pdf/spool.js';

const HOSTILE = 'line\u2028separator\u2029paragraph\r\nand "quotes"';

const hostileEvent = (id: string): AuditEvent => ({
  id,
  timestamp: '2024-03-01T12:00:00.000Z',
  category: 'auth',
  action: 'user.login',
  description: HOSTILE,
  actor: null,
  target: null,
  context: null,
  changes: null,
  metadata: { note: HOSTILE },
});

async function* events(): AsyncGenerator<AuditEvent> {
  yield hostileEvent('evt_1');
  yield hostileEvent('evt_2');
}

describe('U+2028 and U+2029 in event text', () => {
  let directory: string;
  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'line-separators-'));
  });
  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('a forged description with line separators comes back whole from the PDF spool', async () => {
    const spool = await createSpool();
    try {
      await spool.fill(events(), 'UTC');
      const back: AuditEvent[] = [];
      for await (const event of spool.read()) back.push(event);
      expect(back).toEqual([hostileEvent('evt_1'), hostileEvent('evt_2')]);
    } finally {
      await spool.remove();
    }
  });

  it('backup status counts an NDJSON or JSON event holding line separators once', async () => {
    const lines = [hostileEvent('evt_1'), hostileEvent('evt_2')].map((event) => JSON.stringify(event));
    const ndjson = join(directory, 'backup.ndjson');
    await writeFile(ndjson, `${lines.join('\n')}\n`);
    const json = join(directory, 'backup.json');
    await writeFile(json, `[\n${lines.join(',\n')}\n]\n`);
    expect(await countEvents(ndjson, 'ndjson')).toBe(2);
    expect(await countEvents(json, 'json')).toBe(2);
  });
});
