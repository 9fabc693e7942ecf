import { describe, expect, it } from 'vitest';
import { requestedSubject } from '../../src/gdpr/subject.js';
import { textMatcher } from '../../src/gdpr/text-match.js';

const P = 'erased-user-00000000';
const matcher = textMatcher(
  requestedSubject({
    user: 'bob@example.com',
    identifiers: ['192.0.2.1', '2001:db8::1'],
    names: ['Dan', 'Zebulon Quixtrot'],
  }),
);
const erase = (text: string) => matcher.replace(text, P);

describe('GDPR free-text matching: whole values and words, any spelling, nobody else', () => {
  it.each([
    ['mailto:bob@example.com', `mailto:${P}`],
    ['Mail BOB@Example.COM.', `Mail ${P}.`],
    ['https://x.example/?who=bob%40example.com&a=1', `https://x.example/?who=${P}&a=1`],
    ['next=%3Fwho%3Dbob%40example.com', `next=%3Fwho%3D${P}`],
    ['from 192.0.2.1:443', `from ${P}:443`],
    ['peer 2001:db8::1 and 2001%3Adb8%3A%3A1', `peer ${P} and ${P}`],
    ['approved by Dan.', `approved by ${P}.`],
    ['q=Zebulon+Quixtrot or Zebulon%20Quixtrot or zebulon  quixtrot', `q=${P} or ${P} or ${P}`],
    ['ｂｏｂ@example.com and bob\u200b@example.com', `${P} and ${P}`],
  ])('erases %j', (text, erased) => {
    expect(erase(text)).toBe(erased);
  });

  it.each([
    'jim.bob@example.com',
    'bob@example.com.au',
    'bob@example.community',
    '192.0.2.10 and 10.192.0.2.1 and 192.0.2.1.5',
    '2001:db8::12',
    'Jordan Smith picked a Dandelion',
    'Zebulon alone',
  ])('leaves %j byte for byte', (text) => {
    expect(erase(text)).toBe(text);
    expect(matcher.mentions(text)).toBe(false);
  });
});
