import { describe, expect, it } from 'vitest';
import {
  generateNoteKey,
  openNote,
  parseSignerKey,
  parseVerifierKey,
  SignedNoteError,
  signNote,
  verifierKeyOf,
} from '../../src/domain/signed-note.js';

// The published keys and signatures of Go's golang.org/x/mod/sumdb/note tests.
const PETER_SIGNER = 'PRIVATE+KEY+PeterNeumann+c74f20a3+AYEKFALVFGyNhPJEMzD1QIDr+Y7hfZx09iUvxdXHKDFz';
const PETER = 'PeterNeumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW';
const ENOCH = 'EnochRoot+af0cfe78+ATtqJ7zOtqQtYqOo0CpvDXNlMhV3HeJDpjrASKGLWdop';
const TEXT =
  "If you think cryptography is the answer to your problem,\nthen you don't know what your problem is.\n";
const PETER_SIG =
  '— PeterNeumann x08go/ZJkuBS9UG/SffcvIAQxVBtiFupLLr8pAcElZInNIuGUgYN1FFYC2pZSNXgKvqfqdngotpRZb6KE6RyyBwJnAM=\n';
const ENOCH_SIG =
  '— EnochRoot rwz+eBzmZa0SO3NbfRGzPCpDckykFXSdeX+MNtCOXm2/5n2tiOHp+vAF1aGrQ5ovTG01oOTGwnWLox33WWd1RvMc+QQ=\n';

describe('C2SP signed notes', () => {
  it("signs as Go's note package does, byte for byte", () => {
    expect(signNote(TEXT, parseSignerKey(PETER_SIGNER))).toBe(`${TEXT}\n${PETER_SIG}`);
    expect(verifierKeyOf(PETER_SIGNER)).toBe(PETER);
  });

  it("opens Go's published note: one signature checked, an unknown key's kept unverified", () => {
    const opened = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [parseVerifierKey(PETER)]);
    expect(opened.text).toBe(TEXT);
    expect(opened.signatures.map((s) => s.name)).toEqual(['PeterNeumann']);
    expect(opened.unverified.map((s) => s.name)).toEqual(['EnochRoot']);
    const both = openNote(`${TEXT}\n${PETER_SIG}${ENOCH_SIG}`, [
      parseVerifierKey(PETER),
      parseVerifierKey(ENOCH),
    ]);
    expect(both.signatures.map((s) => s.keyHash.toString(16))).toEqual(['c74f20a3', 'af0cfe78']);
  });

  it('refuses every mangling of a verifier key (cut short, one character changed)', () => {
    expect(parseVerifierKey(PETER).name).toBe('PeterNeumann');
    const accepted: string[] = [];
    for (let i = 0; i <= PETER.length; i++) {
      for (let j = i + 1; j <= PETER.length; j++) {
        if (i === 0 && j === PETER.length) continue;
        const cut = PETER.slice(i, j);
        if (accepts(() => parseVerifierKey(cut))) accepted.push(cut);
      }
    }
    for (let i = 0; i < PETER.length; i++) {
      const changed = PETER.slice(0, i) + String.fromCharCode(PETER.charCodeAt(i) + 1) + PETER.slice(i + 1);
      if (accepts(() => parseVerifierKey(changed))) accepted.push(changed);
    }
    expect(accepted).toEqual([]);
    // Wrong length with a matching hash; an unknown algorithm with a matching hash.
    expect(() =>
      parseVerifierKey('PeterNeumann+cc469956+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TWBADKEY=='),
    ).toThrow(SignedNoteError);
    expect(() =>
      parseVerifierKey('PeterNeumann+173116ae+ZRpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW'),
    ).toThrow(SignedNoteError);
  });

  it('a forged note fails: changed text, a signature by the right name but another key, a truncated signature', () => {
    const verifier = [parseVerifierKey(PETER)];
    expect(() => openNote(`${TEXT.replace('answer', 'ANSWER')}\n${PETER_SIG}`, verifier)).toThrow(
      /does not verify/,
    );
    const other = generateNoteKey('PeterNeumann');
    const forged = signNote(TEXT, parseSignerKey(other.signerKey));
    expect(() => openNote(forged, verifier)).toThrow(/not signed by a known key/);
    expect(() => openNote(`${TEXT}\n— PeterNeumann x08go/Zw==\n`, verifier)).toThrow(SignedNoteError);
    expect(() => openNote(TEXT, verifier)).toThrow(/no blank line/);
    expect(() => openNote(`${TEXT}\n${PETER_SIG}`.replace('\n\n', '\n\u0007\n'), verifier)).toThrow(
      /control/,
    );
  });

  it('a new key signs notes that its verifier key opens, and no other key does', () => {
    const key = generateNoteKey('audit.example.com');
    expect(key.verifierKey).toMatch(/^audit\.example\.com\+[0-9a-f]{8}\+[A-Za-z0-9+/]{44}$/);
    expect(verifierKeyOf(key.signerKey)).toBe(key.verifierKey);
    const note = signNote('audit.example.com/default\n3\nAAAA\n', parseSignerKey(key.signerKey));
    expect(openNote(note, [parseVerifierKey(key.verifierKey)]).text).toBe(
      'audit.example.com/default\n3\nAAAA\n',
    );
    expect(() =>
      openNote(note, [parseVerifierKey(generateNoteKey('audit.example.com').verifierKey)]),
    ).toThrow(SignedNoteError);
    expect(() => generateNoteKey('has space')).toThrow(SignedNoteError);
    expect(() => generateNoteKey('a+b')).toThrow(SignedNoteError);
  });
});

function accepts(parse: () => unknown): boolean {
  try {
    parse();
    return true;
  } catch (error) {
    if (!(error instanceof SignedNoteError)) throw error;
    return false;
  }
}
