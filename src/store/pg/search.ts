import { metadataSearchText, tokenize } from '../../domain/free-text.js';
import { FIELD_COLUMNS, SEARCHED_COLUMNS } from '../event-columns.js';
import type { FieldValues } from '../event-rows.js';

/**
 * Free-text search on PostgreSQL with the rules of src/domain/free-text.ts (what SQLite's FTS5
 * index does): the text of an event is tokenized in JS by the same tokenize(), never by a text
 * search configuration, so no stemming, stop words or parser differ. An event's `search`
 * tsvector holds each field's tokens at consecutive positions, with a gap of one position
 * between fields so a phrase (`<->`) cannot run from one field into the next. The query is a
 * tsquery of quoted lexemes bound as a parameter: user text is never parsed as query syntax.
 */

/** The fields searched (domain/free-text.ts searchedFields), in SQLite's events_fts order: six columns, then the metadata's values. */
const SEARCHED_INDEXES = SEARCHED_COLUMNS.map((name) =>
  FIELD_COLUMNS.findIndex((column) => column.name === name),
);
const METADATA_INDEX = FIELD_COLUMNS.findIndex((column) => column.name === 'metadata');

/** tsvector limits (PostgreSQL docs, "Text Search Limitations"), kept with a margin. */
const MAX_POSITION = 16_383;
const MAX_POSITIONS_PER_LEXEME = 255;
const MAX_LEXEME_BYTES = 2_000;
const MAX_VECTOR_BYTES = 900_000;

export interface SearchColumns {
  /** tsvector text, or null when the event is past a tsvector limit (then searchText). */
  search: string | null;
  /** Each field's tokens, each preceded by ' ', fields '\n'-separated: only when search is null. */
  searchText: string | null;
}

/** The search columns of an event's field values (eventToFieldValues order). */
export function searchColumnsOf(values: FieldValues): SearchColumns {
  const fields = SEARCHED_INDEXES.map((index) => values[index] as string | null);
  const metadata = values[METADATA_INDEX] as string | null;
  fields.push(metadata === null ? null : (metadataSearchText(JSON.parse(metadata)) ?? null));
  const tokenLists = fields.map((field) => (field ? tokenize(field) : []));
  const overflow = () => tokenLists.map((tokens) => tokens.map((token) => ` ${token}`).join('')).join('\n');
  return vectorOf(tokenLists) ?? { search: null, searchText: overflow() };
}

function vectorOf(tokenLists: string[][]): SearchColumns | undefined {
  const positions = new Map<string, number[]>();
  let position = 0;
  for (const tokens of tokenLists) {
    if (tokens.length === 0) continue;
    position += 1; // the gap between fields (a phrase cannot cross it)
    for (const token of tokens) {
      position += 1;
      if (position > MAX_POSITION) return undefined;
      const list = positions.get(token);
      if (list) list.push(position);
      else positions.set(token, [position]);
    }
  }
  let bytes = 0;
  const entries: string[] = [];
  for (const [token, list] of positions) {
    const tokenBytes = Buffer.byteLength(token);
    if (tokenBytes > MAX_LEXEME_BYTES || list.length > MAX_POSITIONS_PER_LEXEME) return undefined;
    bytes += tokenBytes + 2 * list.length + 8;
    entries.push(`${quoteLexeme(token)}:${list.join(',')}`);
  }
  if (bytes > MAX_VECTOR_BYTES) return undefined;
  return { search: entries.join(' '), searchText: null };
}

function quoteLexeme(token: string): string {
  return `'${token.replaceAll('\\', '\\\\').replaceAll("'", "''")}'`;
}

/**
 * The tsquery of searchPhrases(): per phrase its tokens in a row (`<->`), the last one a prefix
 * (`:*`); phrases ANDed. Undefined for no phrase, which matches nothing (as in SQLite).
 */
export function toTsQuery(phrases: readonly string[][]): string | undefined {
  if (phrases.length === 0) return undefined;
  return phrases
    .map(
      (phrase) =>
        `(${phrase.map((token, i) => quoteLexeme(token) + (i === phrase.length - 1 ? ':*' : '')).join(' <-> ')})`,
    )
    .join(' & ');
}

/**
 * The LIKE patterns that find the same phrases in search_text (the overflow rows): one per
 * phrase, each token preceded by a space as stored; a pattern holds no '\n', so it never spans
 * two fields.
 */
export function toLikePatterns(phrases: readonly string[][]): string[] {
  return phrases.map((phrase) => `% ${phrase.map(escapeLike).join(' ')}%`);
}

function escapeLike(token: string): string {
  return token.replace(/[\\%_]/g, (char) => `\\${char}`);
}
