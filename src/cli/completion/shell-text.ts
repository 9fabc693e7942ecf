/** Quoting for the generated scripts: every word from the tree reaches a shell as data. */
import { singleQuoted } from '../../format/shell-quote.js';

/** A POSIX single-quoted word (bash and zsh). */
export const sq = singleQuoted;

/** A `case` glob: the text literal, each `*` a wildcard (bash and zsh). */
export function caseGlob(pattern: string): string {
  return pattern
    .split('*')
    .map((piece) => (piece === '' ? '' : sq(piece)))
    .join('*');
}

/** A fish single-quoted word. */
export function fishQuote(text: string): string {
  return `'${text.replaceAll('\\', '\\\\').replaceAll("'", "\\'")}'`;
}

export const GENERATED_NOTE = 'Generated from the command tree by `npm run completions`; do not edit.';
