import { PassThrough } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { writeRows } from '../../src/cli/output/rows.js';

function capture(isTTY: boolean): { stream: PassThrough & { isTTY?: boolean }; text: () => string } {
  const stream: PassThrough & { isTTY?: boolean } = new PassThrough();
  stream.isTTY = isTTY;
  const chunks: Buffer[] = [];
  stream.on('data', (chunk: Buffer) => chunks.push(chunk));
  return { stream, text: () => Buffer.concat(chunks).toString('utf8') };
}

const rows = [
  ['ID', 'FORMAT', 'URL'],
  ['whk_1', 'slack', 'https://hooks.slack.com/…'],
  ['whk_22', 'json', 'https://siem.example.com/\u001b]8;;https://evil\u0007x'],
];

describe('writeRows', () => {
  it('aligns columns on a terminal, without trailing spaces', () => {
    const out = capture(true);
    writeRows(out.stream, rows);
    expect(out.text().split('\n')).toEqual([
      'ID      FORMAT  URL',
      'whk_1   slack   https://hooks.slack.com/…',
      'whk_22  json    https://siem.example.com/x',
      '',
    ]);
  });

  it('separates cells with tabs in a pipe, and cleans control characters either way', () => {
    const out = capture(false);
    writeRows(out.stream, [
      ['a\tb', 1],
      ['c\u202ed', 'e\u001b[2Jf'],
    ]);
    expect(out.text()).toBe('a b\t1\ncd\tef\n');
  });
});
