const numbers = new Intl.NumberFormat('en-US');

/** "1 event", "3,003 events": a count with its noun, singular for one. */
export function counted(n: number, noun: string, pluralNoun = `${noun}s`): string {
  return `${numbers.format(n)} ${n === 1 ? noun : pluralNoun}`;
}
