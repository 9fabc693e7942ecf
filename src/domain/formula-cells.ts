/**
 * OWASP CSV injection defence, made reversible. A spreadsheet must read a cell as text, never as
 * a formula, so a cell starting with = + - @ tab or CR gets a leading apostrophe. A cell that
 * already starts with an apostrophe gets one too: otherwise `'=x` (sent as is) and `=x`
 * (neutralized) would be the same cell, and `audit import` could not tell which was meant.
 * restoreFormulaCell(neutralizeFormula(v)) === v for every string v.
 */

const PREFIXED = /^'[=+\-@\t\r']/;

export function neutralizeFormula(cell: string): string {
  // By char code, not a regex: an export calls this for every cell (18 a row).
  const first = cell.charCodeAt(0);
  return first === 0x3d || // =
    first === 0x2b || // +
    first === 0x2d || // -
    first === 0x40 || // @
    first === 0x09 || // tab
    first === 0x0d || // CR
    first === 0x27 // '
    ? `'${cell}`
    : cell;
}

/**
 * Undoes neutralizeFormula: exactly the cells it prefixed lose their first apostrophe. A file
 * from before apostrophes were doubled reads the same, except a value that began with `''`
 * or with `'` and a formula character, which that exporter could not keep apart.
 */
export function restoreFormulaCell(cell: string): string {
  return PREFIXED.test(cell) ? cell.slice(1) : cell;
}
