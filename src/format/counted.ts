/** "1 event", "3,003 events": a count with its noun, singular for one. */
export function counted(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${groupDigits(n)} ${n === 1 ? noun : pluralNoun}`;
}

// Made when first needed, and only for a number that is not a whole one: an Intl.NumberFormat
// costs some 25 ms of start-up (ICU's locale data), paid by every command that imports this.
let numbers: Intl.NumberFormat | undefined;

/** `n` as en-US writes it: 3,003. */
export function groupDigits(n: number): string {
  if (Number.isSafeInteger(n) && !Object.is(n, -0)) return String(n).replace(/\B(?=(\d{3})+$)/g, ',');
  numbers ??= new Intl.NumberFormat('en-US');
  return numbers.format(n);
}
