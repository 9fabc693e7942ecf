import { isIPv4 } from 'node:net';
import { canonicalText } from './normalize.js';
import type { Subject } from './subject.js';

/**
 * Finds the subject's emails, names, IP addresses and user agents in free text, and replaces
 * them. Whole values and whole words only: "Dan" is not found in "Jordan" or "Dandelion", nor
 * bob@example.com in jim.bob@example.com, nor 192.0.2.1 in 192.0.2.10. Text is compared in its
 * canonical form (NFKC, no invisible characters), case-insensitively, and URL-encoded
 * spellings (%40, %20, +) are found too.
 */
export interface TextMatcher {
  mentions(text: string): boolean;
  /** The text with every occurrence replaced; the very same string when there is none. */
  replace(text: string, replacement: string): string;
}

const WORD = '\\p{L}\\p{N}\\p{M}_';
const AFTER_PERCENT = '(?<=%[0-9a-f]{2})';
const BEFORE_PERCENT = '(?=%[0-9a-f]{2})';

const NEVER: TextMatcher = { mentions: () => false, replace: (text) => text };

export function textMatcher(subject: Subject): TextMatcher {
  const patterns = [
    ...[...subject.emails].map((email) => bounded(email, `[${WORD}.+\\-]`, `[${WORD}\\-@]|\\.[${WORD}]`)),
    ...[...subject.ips].map((ip) =>
      isIPv4(ip)
        ? bounded(ip, `[${WORD}.]`, `[${WORD}]|\\.[${WORD}]`)
        : bounded(ip, `[${WORD}.:]`, `[${WORD}]|[.:][${WORD}]`),
    ),
    ...[...subject.names, ...subject.agents].map((phrase) => bounded(phrase, `[${WORD}]`, `[${WORD}]`)),
  ].sort((a, b) => b.length - a.length);
  if (patterns.length === 0) return NEVER;
  const source = patterns.join('|');
  const finder = new RegExp(source, 'iu');
  const replacer = new RegExp(source, 'giu');
  return {
    mentions: (text) => finder.test(canonicalText(text)),
    replace(text, replacement) {
      const canonical = canonicalText(text);
      if (!finder.test(canonical)) return text;
      return canonical.replace(replacer, replacement);
    },
  };
}

/** The needle, spelled plainly or URL-encoded, with no character of `notBefore` / `notAfter` beside it. */
function bounded(needle: string, notBefore: string, notAfter: string): string {
  return `(?:${AFTER_PERCENT}|(?<!${notBefore}))${spelling(needle)}(?:${BEFORE_PERCENT}|(?!${notAfter}))`;
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
