import { type FoldedText, foldNeedle, foldText } from './folded-text.js';
import type { Subject } from './subject.js';

/**
 * Finds the subject's emails, names, IP addresses and user agents in free text, and replaces
 * them. Whole values and whole words only: "Dan" is not found in "Jordan" or "Dandelion", nor
 * bob@example.com in jim.bob@example.com, nor 192.0.2.1 in 192.0.2.10. Text is compared folded
 * (NFKC, lower case, no invisible characters), as written and URL-decoded (%40, %3A, %20, +).
 * Each email, name and user agent is searched for literally (substring search, linear in the
 * text); IP addresses are found by their bounded shape and looked up. Only the matched
 * characters are replaced: the rest of the string stays exactly as it was.
 */
export interface TextMatcher {
  mentions(text: string): boolean;
  /** The text with every occurrence replaced; the very same string when there is none. */
  replace(text: string, replacement: string): string;
}

type Span = [start: number, end: number];
type Boundary = (text: string, start: number, end: number) => boolean;

interface Needle {
  text: string;
  fits: Boundary;
}

// Scripts written without spaces between words: an identifier glued to them is still whole.
const SPACELESS =
  /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}\p{Script=Thai}\p{Script=Lao}\p{Script=Khmer}\p{Script=Myanmar}]/u;
const WORD = /[\p{L}\p{N}\p{M}_]/u;
// What continues an email's local part to the left: letters, digits, and its common punctuation.
const LOCAL = /[\p{L}\p{N}\p{M}._+-]/u;
// Local-part characters that rarely separate words: "o'bob@" is another address, "'bob@" is not.
const LOCAL_RARE = /[!#$%'*^`{|}~]/u;
const DOMAIN = /[\p{L}\p{N}\p{M}]/u;
const MAX_LABEL = 63;
const IPV4_SHAPE = /(?<![\p{N}.])\d{1,3}(?:\.\d{1,3}){3}(?![\p{N}]|\.\p{N})/gu;
const IPV6_SHAPE =
  /(?<![\p{L}\p{N}_:.])(?:[0-9a-f]{0,4}:){2,7}(?:\d{1,3}(?:\.\d{1,3}){3}(?![\p{N}]|\.\p{N})|[0-9a-f]{0,4}(?![\p{L}\p{N}_:]))/gu;

const NEVER: TextMatcher = { mentions: () => false, replace: (text) => text };

export function textMatcher(subject: Subject): TextMatcher {
  const { ips } = subject;
  const needles: Needle[] = [
    ...[...subject.emails].map((email) => ({ text: foldNeedle(email), fits: emailBoundary })),
    ...[...subject.names, ...subject.agents].map((phrase) => ({
      text: foldNeedle(phrase),
      fits: wordBoundary,
    })),
  ].filter((needle) => needle.text !== '');
  if (needles.length === 0 && ips.size === 0) return NEVER;

  function spansIn(folded: FoldedText, found: Span[]): void {
    const { text } = folded;
    const add = (start: number, end: number) => found.push(folded.original(start, end));
    for (const needle of needles) {
      for (let at = text.indexOf(needle.text); at !== -1; at = text.indexOf(needle.text, at + 1)) {
        const end = at + needle.text.length;
        if (needle.fits(text, at, end)) add(at, end);
      }
    }
    if (ips.size === 0) return;
    for (const shape of [IPV4_SHAPE, IPV6_SHAPE]) {
      for (const match of text.matchAll(shape)) {
        if (ips.has(match[0])) add(match.index, match.index + match[0].length);
      }
    }
  }

  function spans(text: string): Span[] {
    const found: Span[] = [];
    spansIn(foldText(text), found);
    if (/[%+]/.test(text)) spansIn(foldText(text, true), found);
    return found;
  }

  return {
    mentions: (text) => spans(text).length > 0,
    replace(text, replacement) {
      const found = spans(text);
      return found.length === 0 ? text : replaceSpans(text, found, replacement);
    },
  };
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

/** A name or user agent: no letter, digit or underscore right beside it. */
function wordBoundary(text: string, start: number, end: number): boolean {
  const before = charBefore(text, start);
  const after = charAt(text, end);
  return (
    (before === undefined || !joins(before, charAt(text, start) as string, WORD)) &&
    (after === undefined || !joins(after, charBefore(text, end) as string, WORD))
  );
}

/**
 * An email: nothing before it that could continue its local part (jim.bob@, o'bob@), nothing
 * after it that could continue its domain (.com.au, .community, -shop.example); a hyphen and
 * word after the domain (bob@example.com-urgent) ends it.
 */
function emailBoundary(text: string, start: number, end: number): boolean {
  const first = charAt(text, start) as string;
  const before = charBefore(text, start);
  if (before !== undefined && joins(before, first, LOCAL)) return false;
  if (before !== undefined && LOCAL_RARE.test(before)) {
    const beforeThat = charBefore(text, start - before.length);
    if (beforeThat !== undefined && joins(beforeThat, first, LOCAL)) return false;
  }
  const last = charBefore(text, end) as string;
  const after = charAt(text, end);
  if (after === undefined) return true;
  if (after === '.' || after === '-') return !continuesDomain(text, end, last);
  return !joins(after, last, DOMAIN);
}

/** More domain labels follow: `.label`, or `-rest-of-label.label`. */
function continuesDomain(text: string, end: number, last: string): boolean {
  if (text[end] === '.') {
    const next = charAt(text, end + 1);
    return next !== undefined && joins(next, last, DOMAIN);
  }
  let at = end;
  while (
    at < text.length &&
    at - end <= MAX_LABEL &&
    (text[at] === '-' || DOMAIN.test(charAt(text, at) as string))
  )
    at += (charAt(text, at) as string).length;
  const next = charAt(text, at + 1);
  return text[at] === '.' && next !== undefined && DOMAIN.test(next);
}

/** `neighbour` continues the identifier whose edge is `edge`, unless it is in a script without spaces and the edge is not. */
function joins(neighbour: string, edge: string, continues: RegExp): boolean {
  if (!continues.test(neighbour)) return false;
  return !(SPACELESS.test(neighbour) && !SPACELESS.test(edge));
}

function charAt(text: string, at: number): string | undefined {
  const code = text.codePointAt(at);
  return code === undefined ? undefined : String.fromCodePoint(code);
}

function charBefore(text: string, at: number): string | undefined {
  if (at <= 0) return undefined;
  const low = text.charCodeAt(at - 1);
  if (at >= 2 && low >= 0xdc00 && low <= 0xdfff) {
    const high = text.charCodeAt(at - 2);
    if (high >= 0xd800 && high <= 0xdbff) return text.slice(at - 2, at);
  }
  return text[at - 1];
}

/**
 * For id fields (actor and target ids, team ids): the requested emails, names and IP addresses
 * only. What events taught (IP addresses and user agents) never rewrites an id.
 */
export function idMatcher(subject: Subject): TextMatcher {
  const ips = new Set([...subject.ips].filter((ip) => !subject.learnedIps.has(ip)));
  return textMatcher({ ...subject, ips, agents: new Set() });
}

/** One for free text, one for id fields. */
export interface SubjectMatchers {
  text: TextMatcher;
  ids: TextMatcher;
}

export function subjectMatchers(subject: Subject): SubjectMatchers {
  return { text: textMatcher(subject), ids: idMatcher(subject) };
}
