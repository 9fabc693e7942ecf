/**
 * Words for sh, written once: the cron line `backup schedule` installs, the resume command an
 * interrupted export prints and the generated completion scripts all quote with these.
 */
import { sanitizeForDisplay } from './sanitize.js';

const PLAIN = /^[\w@%+=:,./-]+$/;

/** One word for POSIX sh: left bare when it is plainly safe, otherwise single-quoted (exact for any text). */
export function shellQuote(word: string): string {
  return PLAIN.test(word) ? word : singleQuoted(word);
}

/** A POSIX single-quoted word (sh, bash, zsh), quoted even when it need not be. */
export function singleQuoted(word: string): string {
  return `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * One word for a command printed to a terminal for the user to paste into bash or zsh. A word
 * with a newline, a control or an invisible character would not survive the terminal (the line
 * is sanitized, or the paste runs early): it becomes `$'…'` with those characters escaped.
 */
export function shellQuoteForDisplay(word: string): string {
  if (sanitizeForDisplay(word) === word) return shellQuote(word);
  let quoted = '';
  for (const character of word) {
    quoted += escapeForAnsiC(character);
  }
  return `$'${quoted}'`;
}

function escapeForAnsiC(character: string): string {
  if (character === '\\' || character === "'") return `\\${character}`;
  if (character === '\n') return '\\n';
  if (character === '\t') return '\\t';
  if (sanitizeForDisplay(character) === character) return character;
  const code = character.codePointAt(0) as number;
  if (code < 0x80) return `\\x${code.toString(16).padStart(2, '0')}`;
  if (code <= 0xffff) return `\\u${code.toString(16).padStart(4, '0')}`;
  return `\\U${code.toString(16).padStart(8, '0')}`;
}

/** A command line of words, each quoted for sh. */
export function shellCommand(words: readonly string[], quote: (word: string) => string = shellQuote): string {
  return words.map(quote).join(' ');
}
