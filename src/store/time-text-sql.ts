/**
 * The ISO 8601 text of a time column (integer milliseconds since the epoch), built by SQLite:
 * what `new Date(ms).toISOString()` gives for every millisecond of years 0000–9999.
 */

/**
 * The general form: strftime of the time in fractional seconds (test/unit/time-text-sql.test.ts
 * holds it to toISOString).
 */
export function strftimeTimeTextSql(name: string): string {
  return `strftime('%Y-%m-%dT%H:%M:%fZ', ${name} / 1000.0, 'unixepoch')`;
}

/** Milliseconds in a day, an hour, a minute, a second: each remainder made non-negative. */
const PERIODS = [86_400_000, 3_600_000, 60_000, 1000] as const;

/**
 * The same text, cheaper: the day from strftime, the time of day from integer arithmetic
 * (floored remainders, so times before 1970 too). strftime's `%H:%M:%f` goes through floating
 * point and its format parser again, about 0.1–0.2 µs a row of the streamed export
 * (bench/export-stream-cpu.mjs). Every writer stores an integer (eventToFieldValues:
 * Date.parse); test/unit/time-text-sql.test.ts holds this equal to the general form for every integer.
 */
export function timeTextSql(name: string): string {
  const [day, hour, minute, second] = PERIODS;
  const timeOfDay = [
    `(${name} % ${day} + ${day}) / ${hour} % 24`,
    `(${name} % ${hour} + ${hour}) / ${minute} % 60`,
    `(${name} % ${minute} + ${minute}) / ${second} % 60`,
    `(${name} % ${second} + ${second}) % ${second}`,
  ];
  return `strftime('%Y-%m-%dT', ${name} / 1000.0, 'unixepoch') || printf('%02d:%02d:%02d.%03dZ', ${timeOfDay.join(', ')})`;
}
