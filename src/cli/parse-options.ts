import { UsageError } from './errors.js';

/** commander argument parsers that fail with one clear line (exit 2). */
export function integerInRange(flag: string, min: number, max: number) {
  return (text: string): number => {
    if (!/^\d+$/.test(text.trim())) throw new UsageError(`${flag} expects a whole number, got "${text}"`);
    const value = Number(text);
    if (value < min || value > max)
      throw new UsageError(`${flag} must be between ${min} and ${max}, got ${value}`);
    return value;
  };
}

export function examples(...lines: string[]): string {
  return `\nExamples:\n${lines.map((line) => `  ${line}`).join('\n')}\n`;
}
