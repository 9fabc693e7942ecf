/**
 * `audit search` text: `key:value` qualifiers (actor, action, category, ip, target) become
 * filters; everything else is the free text sent as `q`.
 */
import { CATEGORIES, type Category, isCategory } from '../domain/categories.js';
import { UsageError } from './errors.js';

export interface SearchQualifiers {
  actor?: string;
  action?: string[];
  category?: Category[];
  ip?: string;
  target?: string;
}

export interface SearchQuery {
  /** The free text: the words and quoted phrases that are not qualifiers, as typed, one space apart. */
  text: string;
  qualifiers: SearchQualifiers;
}

type SingleKey = 'actor' | 'ip' | 'target';
type ListKey = 'action' | 'category';
const SINGLE_KEYS: readonly string[] = ['actor', 'ip', 'target'];
const LIST_KEYS: readonly string[] = ['action', 'category'];
// A qualifier's key is a bare word before the first colon; `https://x` and `"actor:x"` are text.
const QUALIFIER = /^([A-Za-z]+):(.*)$/s;

export function parseSearchQuery(input: string): SearchQuery {
  const words: string[] = [];
  const qualifiers: SearchQualifiers = {};
  for (const token of tokenize(input)) {
    const match = QUALIFIER.exec(token);
    const key = match?.[1]?.toLowerCase();
    if (!match || key === undefined || (!SINGLE_KEYS.includes(key) && !LIST_KEYS.includes(key))) {
      words.push(token);
      continue;
    }
    // The value is what follows the colon, with its quotes removed.
    const value = unquote(match[2] as string).trim();
    if (value.replaceAll(',', '').trim() === '') {
      throw new UsageError(`search: ${key}: needs a value, as in ${key}:${exampleFor(key)}`);
    }
    if (LIST_KEYS.includes(key)) addListValues(qualifiers, key as ListKey, value);
    else setSingle(qualifiers, key as SingleKey, value);
  }
  return { text: words.join(' '), qualifiers };
}

function addListValues(qualifiers: SearchQualifiers, key: ListKey, value: string): void {
  const items = value
    .split(',')
    .map((item) => item.trim())
    .filter(Boolean);
  if (key === 'category') {
    const categories = items.map((item) => item.toLowerCase());
    const unknown = categories.find((item) => !isCategory(item));
    if (unknown !== undefined) {
      throw new UsageError(
        `search: category:${JSON.stringify(unknown)} is not a category; choose from ${CATEGORIES.join(', ')}`,
      );
    }
    qualifiers.category = unique([...(qualifiers.category ?? []), ...(categories as Category[])]);
  } else {
    qualifiers.action = unique([...(qualifiers.action ?? []), ...items]);
  }
}

function setSingle(qualifiers: SearchQualifiers, key: SingleKey, value: string): void {
  const previous = qualifiers[key];
  if (previous !== undefined && previous !== value) {
    throw new UsageError(
      `search: ${key}: given twice (${JSON.stringify(previous)} and ${JSON.stringify(value)}); give one`,
    );
  }
  qualifiers[key] = value;
}

/**
 * Splits on whitespace outside double quotes. A quote may open anywhere in a word
 * (`actor:"Alice Chen"`); an unclosed quote runs to the end of the text. Empty quotes are dropped.
 */
function tokenize(input: string): string[] {
  const tokens: string[] = [];
  let current = '';
  let quoted = false;
  for (const char of input) {
    if (char === '"') quoted = !quoted;
    if (!quoted && /\s/.test(char)) {
      tokens.push(current);
      current = '';
    } else {
      current += char;
    }
  }
  tokens.push(current);
  return tokens.filter((token) => unquote(token).trim() !== '');
}

function unquote(text: string): string {
  return text.replaceAll('"', '');
}

function unique<T>(values: T[]): T[] {
  return [...new Set(values)];
}

function exampleFor(key: string): string {
  const examples: Record<string, string> = {
    actor: 'alice@example.com',
    action: 'user.login',
    category: 'auth',
    ip: '203.0.113.7',
    target: '"Design Team"',
  };
  return examples[key] ?? 'value';
}
