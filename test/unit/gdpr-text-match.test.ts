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

describe('GDPR free-text matching against hostile text', () => {
  const MEGABYTE = 1_000_000;
  // Linear matching takes milliseconds here; retrying a pattern from every position takes hours.
  // CPU time, not wall time: on a loaded machine the wall clock also counts the time waited for a
  // core (1.7 s once with the load average at 11), which says nothing about the matching.
  const LINEAR_BOUND_MS = 1000;
  const timed = (work: () => unknown) => {
    const started = process.cpuUsage();
    work();
    const used = process.cpuUsage(started);
    return (used.user + used.system) / 1000;
  };

  it.each([
    ['a run of letters', 'a'.repeat(MEGABYTE)],
    ['a run of local-part characters before an @', `${'a.'.repeat(MEGABYTE / 2)}@x`],
    ['a run of @ signs', '@'.repeat(MEGABYTE)],
    ['a run of URL escapes', '%41'.repeat(MEGABYTE / 3)],
    ['a run of stray percent signs', 'a%'.repeat(MEGABYTE / 2)],
    ['a run of IPv6-like groups', 'a:'.repeat(MEGABYTE / 2)],
  ])('a megabyte of %s cannot make an erasure quadratic (ReDoS)', (_label, text) => {
    expect(timed(() => matcher.mentions(text))).toBeLessThan(LINEAR_BOUND_MS);
    expect(timed(() => erase(`${text} bob@example.com`))).toBeLessThan(LINEAR_BOUND_MS);
  });

  it('a thousand long forged user agents cannot make one replace take seconds (ReDoS)', () => {
    const subject = requestedSubject({ user: 'bob@example.com' });
    for (let i = 0; i < 1000; i++) subject.agents.add(`Agent${i}/1.0 ${'x'.repeat(240)} ${i}`);
    const many = textMatcher(subject);
    const text = `${'Agent1/1.0 x '.repeat(MEGABYTE / 13)}`;
    expect(timed(() => many.replace(text, P))).toBeLessThan(LINEAR_BOUND_MS);
  });
});

describe('GDPR erasure finds every spelling of a requested email, however it is glued to text', () => {
  const subject = requestedSubject({
    user: "o'brien@example.com",
    identifiers: ['bob@example.com', 'a.b!c@example.com', '::ffff:192.0.2.1'],
  });
  const glued = textMatcher(subject);

  it.each([
    ["mail sent to o'brien@example.com and O'Brien@Example.com", `mail sent to ${P} and ${P}`],
    ['请联系bob@example.com谢谢', `请联系${P}谢谢`],
    ['Bobにbob@example.com', `Bobに${P}`],
    ['bob@example.com-urgent', `${P}-urgent`],
    ['write a.b!c@example.com now', `write ${P} now`],
    ["quoted 'bob@example.com' here", `quoted '${P}' here`],
    ['peer ::ffff:192.0.2.1 and ::FFFF:192.0.2.1:443', `peer ${P} and ${P}:443`],
  ])('an erasure that reports success leaves no email behind in %j', (text, erased) => {
    expect(glued.replace(text, P)).toBe(erased);
    expect(glued.mentions(text)).toBe(true);
  });

  it.each([
    "x'bob@example.com",
    'x.a.b!c@example.com',
    'bob@example.com-shop.example',
    'bob@example.com.au',
    '中bob@example.com.au',
    '::ffff:192.0.2.10',
  ])('a similar address of someone else, %j, stays', (text) => {
    expect(glued.replace(text, P)).toBe(text);
  });
});

describe('GDPR erasure rewrites only what it matched', () => {
  it.each([
    ['½ cup for bob@example.com', `½ cup for ${P}`],
    ['ﬁle of Dan', `ﬁle of ${P}`],
    ['👨‍👩‍👧 family of bob@example.com', `👨‍👩‍👧 family of ${P}`],
    ['Ｊｏｒｄａｎ met Ｄａｎ', `Ｊｏｒｄａｎ met ${P}`],
    ['café  au lait with Dan', `café  au lait with ${P}`],
  ])('the rest of %j keeps its exact characters (no NFKC rewrite)', (text, erased) => {
    expect(erase(text)).toBe(erased);
  });
});
