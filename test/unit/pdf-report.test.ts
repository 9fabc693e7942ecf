import { execFileSync } from 'node:child_process';
import { createWriteStream } from 'node:fs';
import { mkdir, mkdtemp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CATEGORIES } from '../../src/domain/categories.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { writePdfReport } from '../../src/export/pdf/index.js';
import { pdfText, toWinAnsi } from '../../src/export/pdf/text.js';

const has = (tool: string) => {
  try {
    execFileSync(tool, ['-v'], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
};
const hasPdftotext = has('pdftotext');
const hasPdftoppm = has('pdftoppm');

const DAY_MS = 86_400_000;
const START = Date.parse('2024-03-01T00:00:00.000Z');
const TOTAL = 2_500;
const DAYS = 40;

function event(index: number, overrides: Partial<AuditEvent> = {}): AuditEvent {
  const category = CATEGORIES[index % CATEGORIES.length] ?? 'auth';
  const day = index % DAYS;
  return {
    id: `log_${String(index).padStart(26, '0')}`,
    timestamp: new Date(START + day * DAY_MS + (index % 86_000) * 1000).toISOString(),
    category,
    action: `${category}.action_${index % 7}`,
    description: `Synthetic event number ${index} for the report`,
    actor: {
      id: `user_${index % 50}`,
      name: `User ${index % 50}`,
      email: `user${index % 50}@example.com`,
      type: 'user',
    },
    target: { type: 'thing', id: `thing_${index}`, name: `thing-${index}.example.net` },
    context: { ip_address: `203.0.113.${index % 250}`, user_agent: 'test', team_id: null, team_name: null },
    changes: null,
    metadata: null,
    ...overrides,
  };
}

/** 2,500 events over 40 days; a few of them carry hostile or non-Latin text. */
async function* synthetic(): AsyncGenerator<AuditEvent> {
  for (let index = 0; index < TOTAL; index++) {
    if (index === 10) {
      yield event(index, {
        action: 'auth.known_marker_action',
        actor: { id: 'user_x', name: 'Zelda Known-Actor', email: null, type: 'user' },
        description: 'Plain ESC\u001b[31m red\u001b]0;title\u0007 and a bell\u0007 and \u202eRLO\u2028end',
      });
    } else if (index === 11) {
      yield event(index, { description: 'Emoji 🎉👍🏽 and CJK 日本語テキスト and Łódź café' });
    } else if (index === 12) {
      yield event(index, {
        description: `Very long ${'description text that goes on '.repeat(200)}END-MARKER`,
      });
    } else if (index === 13) {
      yield event(index, { category: 'auth', action: 'user.login_failed' });
    } else {
      yield event(index);
    }
  }
}

const expectedCategoryCount = (category: string) => {
  let count = 0;
  for (let index = 0; index < TOTAL; index++) {
    const actual = index === 13 ? 'auth' : CATEGORIES[index % CATEGORIES.length];
    if (actual === category) count++;
  }
  return count;
};

describe('PDF report', () => {
  let directory: string;
  let file: string;
  let count: number;
  /** pdftotext -layout: each table row on one line. */
  let text = '';
  /** pdftotext in reading order, whitespace collapsed: a wrapped cell reads as one string. */
  let flat = '';

  beforeAll(async () => {
    directory = await mkdtemp(join(tmpdir(), 'pdf-report-test-'));
    file = join(directory, 'report.pdf');
    const result = await writePdfReport(
      synthetic(),
      {
        title: 'Audit log report',
        organization: 'Acme Widgets Ltd',
        period: '2024-03-01 to 2024-04-09',
        filters: { category: 'all', actor: 'anyone' },
        zone: 'Europe/Berlin',
        generatedAt: new Date('2024-04-10T08:00:00Z'),
      },
      createWriteStream(file),
    );
    count = result.count;
    if (hasPdftotext) {
      text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      flat = execFileSync('pdftotext', [file, '-'], { encoding: 'utf8' }).replace(/\s+/g, ' ');
    }
  }, 120_000);

  afterAll(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('counts every event and writes a complete PDF file', async () => {
    expect(count).toBe(TOTAL);
    const bytes = await readFile(file);
    expect(bytes.subarray(0, 5).toString('latin1')).toBe('%PDF-');
    expect(bytes.subarray(-8).toString('latin1').trimEnd().endsWith('%%EOF')).toBe(true);
  });

  it('has a plausible number of pages for 2,500 rows', async () => {
    const pdf = (await readFile(file)).toString('latin1');
    const pages = pdf.match(/\/Type \/Page\b(?!s)/g)?.length ?? 0;
    // 20 to 40 rows a page, plus the summary.
    expect(pages).toBeGreaterThan(TOTAL / 45);
    expect(pages).toBeLessThan(TOTAL / 15);
  });

  it.skipIf(!hasPdftotext)('shows the title page facts and the counts (pdftotext not installed)', () => {
    expect(text).toContain('Audit log report');
    expect(text).toContain('Acme Widgets Ltd');
    expect(text).toContain('2024-03-01 to 2024-04-09');
    expect(text).toContain('category: all');
    expect(text).toMatch(/Total events\s+2,500/);
    for (const category of CATEGORIES) {
      expect(text).toMatch(
        new RegExp(`\\b${category}\\s+${expectedCategoryCount(category).toLocaleString('en-US')}\\b`),
      );
    }
    expect(text).toContain('Events by day (Europe/Berlin)');
    expect(text).toMatch(/Fri 2024-03-01\s+63\b/);
  });

  it.skipIf(!hasPdftotext)(
    'lists the events page by page with sanitized text (pdftotext not installed)',
    () => {
      expect(text).toContain('auth.known_marker_action');
      expect(text).toContain('Zelda Known-Actor');
      expect(text).toContain('Page 2');
      // The header row is repeated on every page after the summary.
      const pages = Number(/\bPage (\d+)\s*$/.exec(text.trimEnd())?.[1]);
      const headers = text.match(
        /Time \(Europe\/Berlin\)\s+Category\s+Action\s+Actor\s+Target\s+IP\s+Description/g,
      );
      expect(headers).toHaveLength(pages - 1);
      expect(text).toContain(`Page ${Math.floor(TOTAL / 45)}`);
      expect(text).not.toContain('\u001b');
      expect(text).not.toContain('\u0007');
      expect(text).not.toContain('[31m');
      // Escape sequences and the bell removed, the RLO override and line separator dropped.
      expect(flat).toContain('Plain ESC red and a bell and RLOend');
      expect(flat).toContain('Emoji ?? and CJK ??????? and Lódz café');
      // The very long description is cut with an ellipsis after three lines.
      expect(flat).toMatch(/Very long description text that goes on [a-z ]+…/);
      expect(flat).not.toContain('END-MARKER');
      // Times are shown in the display zone: 2024-03-01T00:00:00Z is 01:00 in Berlin.
      expect(text).toContain('2024-03-01 01:00:00');
    },
  );

  it.skipIf(!hasPdftoppm)('renders its first pages to PNG (pdftoppm not installed)', async () => {
    const out = join(directory, 'png');
    await mkdir(out);
    execFileSync('pdftoppm', ['-png', '-r', '60', '-f', '1', '-l', '2', file, join(out, 'page')]);
    const pngs = (await readdir(out)).filter((name) => name.endsWith('.png')).sort();
    expect(pngs).toHaveLength(2);
    for (const png of pngs) expect((await stat(join(out, png))).size).toBeGreaterThan(10_000);
  });

  it('writes an empty report when there are no events', async () => {
    const empty = join(directory, 'empty.pdf');
    const none = (async function* (): AsyncGenerator<AuditEvent> {})();
    const result = await writePdfReport(
      none,
      { title: 'Empty', organization: 'Org', period: 'today', filters: {}, zone: 'UTC' },
      createWriteStream(empty),
    );
    expect(result.count).toBe(0);
    expect((await readFile(empty)).subarray(0, 5).toString('latin1')).toBe('%PDF-');
  });

  it('removes its spool file, after success and after a failure of the events', async () => {
    // A private temporary directory: other test files may be spooling PDFs at the same time.
    const spoolDirectory = join(directory, 'tmp');
    await mkdir(spoolDirectory);
    const saved = process.env.TMPDIR;
    process.env.TMPDIR = spoolDirectory;
    try {
      const options = { title: 'T', organization: 'O', period: 'P', filters: {}, zone: 'UTC' };
      async function* few(): AsyncGenerator<AuditEvent> {
        yield event(1);
        yield event(2);
      }
      await writePdfReport(few(), options, createWriteStream(join(directory, 'few.pdf')));
      expect(await readdir(spoolDirectory)).toEqual([]);
      async function* failing(): AsyncGenerator<AuditEvent> {
        yield event(1);
        throw new Error('source broke');
      }
      await expect(
        writePdfReport(failing(), options, createWriteStream(join(directory, 'failed.pdf'))),
      ).rejects.toThrow('source broke');
      expect(await readdir(spoolDirectory)).toEqual([]);
    } finally {
      if (saved === undefined) delete process.env.TMPDIR;
      else process.env.TMPDIR = saved;
    }
  });
});

describe('drawing a large report', () => {
  const options = { title: 'T', organization: 'O', period: 'P', filters: {}, zone: 'UTC' };

  it('lets timers run between slices of drawing (a spinner turns) and reports page N of M', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pdf-slices-'));
    try {
      let ticks = 0;
      const timer = setInterval(() => ticks++, 1);
      const reports: { ticks: number; page: number; pages: number; rendered: number; total: number }[] = [];
      try {
        await writePdfReport(
          synthetic(),
          { ...options, onProgress: (progress) => reports.push({ ticks, ...progress }) },
          createWriteStream(join(directory, 'sliced.pdf')),
        );
      } finally {
        clearInterval(timer);
      }
      // A timer fired between reports: the drawing let the event loop run.
      expect(new Set(reports.map((report) => report.ticks)).size).toBeGreaterThan(2);
      expect(new Set(reports.map((report) => report.page)).size).toBeGreaterThan(2);
      for (const report of reports) expect(report.total).toBe(TOTAL);
      const last = reports.at(-1);
      expect(last?.rendered).toBe(TOTAL);
      const pdf = await readFile(join(directory, 'sliced.pdf'), 'latin1');
      expect(pdf.match(/\/Type \/Page\b/g)).toHaveLength(last?.pages ?? -1);
      expect(last?.page).toBe(last?.pages);
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);

  it('stops between two slices when its signal is aborted, without finishing the file', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'pdf-abort-'));
    try {
      const stop = new AbortController();
      const reason = new Error('stopped by the test');
      let lastRendered = 0;
      const file = join(directory, 'stopped.pdf');
      await expect(
        writePdfReport(
          synthetic(),
          {
            ...options,
            signal: stop.signal,
            onProgress: ({ rendered }) => {
              lastRendered = rendered;
              if (rendered > 0) stop.abort(reason);
            },
          },
          createWriteStream(file),
        ),
      ).rejects.toBe(reason);
      expect(lastRendered).toBeGreaterThan(0);
      expect(lastRendered).toBeLessThan(TOTAL);
      const bytes = await readFile(file).catch(() => Buffer.alloc(0));
      expect(bytes.toString('latin1')).not.toContain('%%EOF');
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  }, 120_000);
});

describe('WinAnsi-safe text', () => {
  it('keeps Latin-1 and WinAnsi punctuation, maps look-alikes and replaces the rest', () => {
    expect(toWinAnsi('café – “quoted” €5 …')).toBe('café – “quoted” €5 …');
    expect(toWinAnsi('Łódź ﬁle Ａ x−y')).toBe('Lódz file A x-y');
    expect(toWinAnsi('日本 🎉 👍🏽 e\u0301')).toBe('?? ? ? é');
  });

  it('strips control and invisible characters and collapses whitespace', () => {
    expect(pdfText('a\u001b[2Jb\tc\nd\u200be\u0000f')).toBe('ab c def');
    expect(pdfText(null)).toBe('');
  });
});
