/**
 * What an API token looks like, for recognizing and masking one in text: no checksum and no
 * crypto here, so that every command's error path can mask tokens without loading node:crypto.
 */

const DISPLAY_PREFIX_LENGTH = 'adt_'.length + 8;

export const TOKEN_PATTERN = /^adt_[0-9A-Za-z]{46}$/;

// A token, or most of one (cut or mistyped): what no file path a person chose looks like.
const TOKEN_LIKE = /^adt_[0-9A-Za-z]{20,}$/;

/** True for text that is a token rather than, say, the path of a file holding one. */
export function looksLikeToken(text: string): boolean {
  return TOKEN_LIKE.test(text.trim());
}

/** What lists and logs show of a token (`adt_` + 8 characters): enough to tell tokens apart. */
export function tokenPrefix(token: string): string {
  return token.slice(0, DISPLAY_PREFIX_LENGTH);
}

/**
 * Text for a terminal or a log with every token-shaped string cut to its display prefix, and the
 * value of a `--token=…` (there is no such flag) dropped: error messages echo what was typed.
 */
export function maskTokensIn(text: string): string {
  return text
    .replace(/(--token=)[^\s'"]+/g, '$1…')
    .replace(/adt_[0-9A-Za-z]{46}/g, (token) => `${tokenPrefix(token)}…`);
}
