/**
 * OWASP CSV injection defence, made reversible. A spreadsheet must read a cell as text, never as
 * a formula, so a cell starting with = + - @ tab or CR gets a leading apostrophe. A cell that
 * already starts with an apostrophe gets one too: otherwise `'=x` (sent as is) and `=x`
 * (neutralized) would be the same cell, and `audit import` could not tell which was meant.
 * restoreFormulaCell(neutralizeFormula(v)) === v for every string v.
 */

const NEEDS_PREFIX = /^[=+\-@\t\r']/;
const PREFIXED = /^'[=+\-@\t\r']/;

export function neutralizeFormula(cell: string): string {
  return NEEDS_PREFIX.test(cell) ? `'${cell}` : cell;
}

/**
 * Undoes neutralizeFormula: exactly the cells it prefixed lose their first apostrophe. A file
 * from before apostrophes were doubled reads the same, except a value that began with `''`
 * or with `'` and a formula character, which that exporter could not keep apart.
 */
export function restoreFormulaCell(cell: string): string {
  return PREFIXED.test(cell) ? cell.slice(1) : cell;
}
