/**
 * What a check of an export file skips as holding nothing: a line that is empty or only JSON's
 * own white space (space, tab, CR). Other white space (U+00A0, U+2028, U+FEFF…) is not JSON's and
 * `audit export` never writes it: a line of it is an edit of the file, reported as any line that
 * is not an event is, so nothing can be added to an export unseen.
 */
const JSON_BLANK = /^[ \t\r]*$/;
const JSON_WHITESPACE_AROUND = /^[ \t\r]+|[ \t\r]+$/g;

export function isBlankLine(text: string): boolean {
  return JSON_BLANK.test(text);
}

/** `text` without the JSON white space around it (String.trim would take any Unicode space too). */
export function trimJsonWhitespace(text: string): string {
  return text.replace(JSON_WHITESPACE_AROUND, '');
}
