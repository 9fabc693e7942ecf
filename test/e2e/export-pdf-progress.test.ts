/**
 * A large PDF is drawn after its last event has come in: in a real terminal the spinner says how
 * far the drawing has come, and Ctrl-C stops it at once without leaving a file behind.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateToken } from '../../src/domain/token.js';
import { cliEnv, runCli, tempHome } from '../helpers/cli.js';
import { startEventPagesServer } from '../helpers/event-pages-server.js';
import { runInTerminal } from '../helpers/pty.js';
import { tempDir } from '../helpers/temp-dir.js';

const RENDERING =
  /Rendering PDF report\.pdf: page ([\d,]+) of (about )?([\d,]+) \(([\d,]+) of ([\d,]+) events\)/g;
const count = (text: string | undefined) => Number((text ?? '').replaceAll(',', ''));

describe('audit export --format pdf in a terminal', () => {
  const home = tempHome();
  let server: Awaited<ReturnType<typeof startEventPagesServer>>;
  let env: NodeJS.ProcessEnv;
  const args = (file: string) => ['export', '--utc', '--from', '2024-01-01', '--format', 'pdf', '-o', file];

  beforeAll(async () => {
    // 10,000 events: 335 pages, seconds of drawing.
    server = await startEventPagesServer({ pages: 10, perPage: 1000 });
    env = cliEnv(home.configDir, { AUDIT_SERVER: server.url, AUDIT_TOKEN: generateToken() });
  });
  afterAll(async () => {
    await server?.close();
  });

  it('shows "page N of M" advancing while the PDF is drawn, ending on the exact count', async () => {
    const dir = tempDir('pdf-progress');
    const file = join(dir, 'report.pdf');
    const terminal = runInTerminal(args(file), { env, columns: 120, killAfterMs: 110_000 });
    const { code, output } = await terminal.done;
    expect(code).toBe(0);
    const updates = [...output.matchAll(RENDERING)].map((match) => ({
      page: count(match[1]),
      estimated: match[2] !== undefined,
      pages: count(match[3]),
      rendered: count(match[4]),
      total: count(match[5]),
    }));
    const pagesSeen = new Set(updates.map((update) => update.page));
    expect(pagesSeen.size).toBeGreaterThan(2);
    // Never backwards; every total is the number of events fetched.
    for (const [index, update] of updates.entries()) {
      expect(update.total).toBe(10_000);
      if (index > 0) expect(update.rendered).toBeGreaterThanOrEqual(updates[index - 1]?.rendered ?? 0);
    }
    const last = updates.at(-1);
    expect(last).toMatchObject({ rendered: 10_000, estimated: false });
    expect(last?.page).toBe(last?.pages);
    const pdf = readFileSync(file, 'latin1');
    expect(pdf.match(/\/Type \/Page\b/g)).toHaveLength(last?.pages ?? -1);
    expect(output).toMatch(/Exported 10,000 events \(10 pages\) to .*report\.pdf/);
  });

  it('Ctrl-C while the PDF is drawn exits 130 at once and leaves no file and no .partial', async () => {
    const dir = tempDir('pdf-stop');
    const file = join(dir, 'report.pdf');
    const terminal = runInTerminal(args(file), { env, columns: 120, killAfterMs: 110_000 });
    await terminal.waitFor(/Rendering PDF report\.pdf: page [\d,]+ of about/, 60_000);
    terminal.type('\x03');
    const { code, output } = await terminal.done;
    expect(code).toBe(130);
    // Stopped in the middle, not after drawing the rest.
    expect(output).not.toMatch(/\(10,000 of 10,000 events\)/);
    expect(output).toContain(
      `audit: Interrupted after 10,000 events; ${file} was not written. Run the same command again to export it.`,
    );
    expect(existsSync(file)).toBe(false);
    expect(readdirSync(dir)).toEqual([]);
  });

  it('says nothing of the drawing when stderr is not a terminal (a pipe or a log)', async () => {
    const dir = tempDir('pdf-pipe');
    const file = join(dir, 'report.pdf');
    const result = await runCli(args(file), { env });
    expect(result.code).toBe(0);
    expect(result.stderr).toMatch(/^Exported 10,000 events \(10 pages\) to .*report\.pdf in [\d.]+ s\n$/);
  });
});
