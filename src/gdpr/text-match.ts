import { canonicalText } from './normalize.js';
import type { Subject } from './subject.js';

/**
 * Finds the subject's emails, names, IP addresses and user agents in free text, and replaces
 * them. Whole values and whole words only: "Dan" is not found in "Jordan" or "Dandelion", nor
 * bob@example.com in jim.bob@example.com, nor 192.0.2.1 in 192.0.2.10. Text is compared in its
 * canonical form (NFKC, no invisible characters), case-insensitively, and URL-encoded
 * spellings (%40, %3A, %20, +) are found too. Emails and IP addresses are found by their shape
 * and looked up, so a person with thousands of addresses costs no more than one.
 */
export interface TextMatcher {
  mentions(text: string): boolean;
  /** The text with every occurrence replaced; the very same string when there is none. */
  replace(text: string, replacement: string): string;
}

type Span = [start: number, end: number];

const WORD = '\\p{L}\\p{N}\\p{M}_';
const EMAIL_SHAPE =
  /(?:[\p{L}\p{N}\p{M}._+-]|%[0-9a-f]{2})+(?:@|%40)(?:[\p{L}\p{N}\p{M}-]|\.(?=[\p{L}\p{N}\p{M}]))+/giu;
const IPV4_SHAPE = /(?<![\p{N}.])\d{1,3}(?:\.\d{1,3}){3}(?![\p{N}]|\.\p{N})/gu;
const IPV6_SHAPE = /(?<![\p{L}\p{N}_:.])(?:[0-9a-f]{0,4}(?::|%3a)){2,7}[0-9a-f]{0,4}(?![\p{L}\p{N}_:])/giu;

const NEVER: TextMatcher = { mentions: () => false, replace: (text) => text };

export function textMatcher(subject: Subject): TextMatcher {
  const { emails, ips } = subject;
  const phrases = phraseGroups([...subject.names, ...subject.agents]);
  if (emails.size === 0 && ips.size === 0 && phrases.length === 0) return NEVER;
  const hasIpv6 = [...ips].some((ip) => ip.includes(':'));

  function spans(text: string): Span[] {
    const found: Span[] = [];
    if (emails.size > 0) for (const match of text.matchAll(EMAIL_SHAPE)) emailSpan(match, emails, found);
    if (ips.size > 0) {
      for (const match of text.matchAll(IPV4_SHAPE)) if (ips.has(match[0])) found.push(spanOf(match));
      if (hasIpv6) {
        for (const match of text.matchAll(IPV6_SHAPE)) {
          if (ips.has(match[0].replace(/%3a/gi, ':').toLowerCase())) found.push(spanOf(match));
        }
      }
    }
    if (phrases.length > 0) {
      const lower = text.toLowerCase();
      for (const group of phrases) {
        if (!group.keys.some((key) => lower.includes(key))) continue;
        for (const match of text.matchAll(group.pattern)) found.push(spanOf(match));
      }
    }
    return found;
  }

  return {
    mentions: (text) => spans(canonicalText(text)).length > 0,
    replace(text, replacement) {
      const canonical = canonicalText(text);
      const found = spans(canonical);
      if (found.length === 0) return text;
      return replaceSpans(canonical, found, replacement);
    },
  };
}

/**
 * An email-shaped run of text names the subject when it, or its end after a URL-encoded
 * separator (`who%3Dbob%40example.com`), decodes to one of their emails.
 */
function emailSpan(match: RegExpExecArray | RegExpMatchArray, emails: Set<string>, found: Span[]): void {
  const token = match[0];
  const start = match.index ?? 0;
  const at = token.includes('@') ? token.indexOf('@') : token.toLowerCase().lastIndexOf('%40');
  const offsets = [0];
  for (
    let percent = token.indexOf('%');
    percent !== -1 && percent + 3 <= at;
    percent = token.indexOf('%', percent + 3)
  ) {
    offsets.push(percent + 3);
  }
  const offset = offsets.find((from) => emails.has(decode(token.slice(from)).toLowerCase()));
  if (offset !== undefined) found.push([start + offset, start + token.length]);
}

function decode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

function spanOf(match: RegExpExecArray | RegExpMatchArray): Span {
  const start = match.index ?? 0;
  return [start, start + match[0].length];
}

/** Leftmost first, the longest at one place; a span inside or across an earlier one is skipped. */
function replaceSpans(text: string, spans: Span[], replacement: string): string {
  spans.sort((a, b) => a[0] - b[0] || b[1] - a[1]);
  let result = '';
  let at = 0;
  for (const [start, end] of spans) {
    if (start < at) continue;
    result += text.slice(at, start) + replacement;
    at = end;
  }
  return result + text.slice(at);
}

interface PhraseGroup {
  /** Lower-case words one of which a text must contain before the pattern is tried. */
  keys: string[];
  pattern: RegExp;
}

/** Names and user agents, grouped by first word: a cheap substring test picks the few to try. */
function phraseGroups(phrases: string[]): PhraseGroup[] {
  const byFirstWord = new Map<string, string[]>();
  for (const phrase of phrases) {
    const first = (phrase.split(/\s+/u)[0] ?? phrase).toLowerCase();
    byFirstWord.set(first, [...(byFirstWord.get(first) ?? []), phrase]);
  }
  return [...byFirstWord].map(([first, group]) => ({
    keys: [...new Set([first, encodeURIComponent(first).toLowerCase()])],
    pattern: new RegExp(
      group
        .map((phrase) => bounded(phrase))
        .sort((a, b) => b.length - a.length)
        .join('|'),
      'giu',
    ),
  }));
}

/** The phrase, spelled plainly or URL-encoded, with no letter, digit or underscore beside it. */
function bounded(phrase: string): string {
  return `(?:(?<=%[0-9a-f]{2})|(?<![${WORD}]))${spelling(phrase)}(?:(?=%[0-9a-f]{2})|(?![${WORD}]))`;
}

function spelling(needle: string): string {
  let source = '';
  for (const char of needle) {
    if (/[A-Za-z0-9._~-]/.test(char)) source += escapeRegExp(char);
    // Any run of spaces, however encoded, between the words of a name or user agent.
    else if (/\s/u.test(char)) source += '(?:\\s|%20|\\+)+';
    else source += `(?:${escapeRegExp(char)}|${escapeRegExp(encodeURIComponent(char))})`;
  }
  return source;
}

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
}
