import { describe, expect, it } from 'vitest';
import { CheckpointError, formatCheckpoint, parseCheckpoint } from '../../src/domain/checkpoint.js';
import { openNote, parseSignerKey, parseVerifierKey, signNote } from '../../src/domain/signed-note.js';

// The example of https://c2sp.org/tlog-checkpoint, signed by the published key of Go's note tests.
const EXAMPLE = 'example.com/behind-the-sofa\n20852163\nCsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=\n';
const SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const VERIFIER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';

describe('checkpoints (C2SP tlog-checkpoint)', () => {
  it("reads the spec's example and writes it back byte for byte", () => {
    const checkpoint = parseCheckpoint(EXAMPLE);
    expect(checkpoint.origin).toBe('example.com/behind-the-sofa');
    expect(checkpoint.size).toBe(20852163);
    expect(checkpoint.root.toString('hex')).toBe(
      '0ac5186a91863e8e1d90c808014aa89bf5da8e3ee1d9f07630f0378f68f1ab62',
    );
    expect(formatCheckpoint(checkpoint)).toBe(EXAMPLE);
  });

  it('keeps extension lines, and a signed checkpoint opens to the same checkpoint', () => {
    const text = formatCheckpoint({ ...parseCheckpoint(EXAMPLE), extensions: ['time 2026-12-06T07:00:00Z'] });
    const note = signNote(text, parseSignerKey(SIGNER));
    const opened = openNote(note, [parseVerifierKey(VERIFIER)]);
    expect(parseCheckpoint(opened.text).extensions).toEqual(['time 2026-12-06T07:00:00Z']);
  });

  it.each([
    ['no final newline', EXAMPLE.slice(0, -1)],
    ['a size with a leading zero', EXAMPLE.replace('20852163', '020852163')],
    ['a negative size', EXAMPLE.replace('20852163', '-1')],
    ['a size past 2^53', EXAMPLE.replace('20852163', '9007199254740993')],
    ['a short root', EXAMPLE.replace('CsUYapGGPo4dkMgIAUqom/Xajj7h2fB2MPA3j2jxq2I=', 'AAAA')],
    ['an origin with a space', EXAMPLE.replace('example.com/behind-the-sofa', 'example.com behind')],
    ['an empty extension line', `${EXAMPLE}\n`],
  ])('refuses %s', (_name, text) => {
    expect(() => parseCheckpoint(text)).toThrow(CheckpointError);
  });
});
