import { Readable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { readAllText } from '../../src/cli/read-all-text.js';

describe('readAllText', () => {
  it('keeps a character whole when the pipe splits its bytes across two reads', async () => {
    const bytes = Buffer.from('secret-with-é-inside', 'utf8');
    const cut = bytes.indexOf(0xc3) + 1; // between the two bytes of "é"
    const stream = Readable.from([bytes.subarray(0, cut), bytes.subarray(cut)], { objectMode: false });
    expect(await readAllText(stream)).toBe('secret-with-é-inside');
  });
});
