/**
 * A pino record as one line for a person at a terminal: time, level, request id, message, the
 * other fields as key=value, then an error's stack indented below. Control and bidi characters
 * are escaped: paths and error messages carry text a client chose.
 */

const LEVEL_NAMES: Record<number, string> = {
  10: 'TRACE',
  20: 'DEBUG',
  30: 'INFO',
  40: 'WARN',
  50: 'ERROR',
  60: 'FATAL',
};

// pino's bookkeeping: shown in the head of the line or not at all.
const HEAD_FIELDS = new Set(['level', 'time', 'pid', 'hostname', 'reqId', 'msg', 'err']);

// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point.
const UNSAFE_FOR_TERMINAL = /[\u0000-\u001f\u007f-\u009f\u061c\u200e\u200f\u202a-\u202e\u2066-\u2069]/g;

function escapeForTerminal(text: string): string {
  return text.replace(
    UNSAFE_FOR_TERMINAL,
    (char) => `\\u${char.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function fieldText(value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value);
}

export function prettyLogLine(record: Record<string, unknown>): string {
  const time = typeof record.time === 'number' ? new Date(record.time).toISOString() : '';
  const level = LEVEL_NAMES[record.level as number] ?? String(record.level);
  const head = [time, level.padEnd(5)];
  if (record.reqId !== undefined) head.push(`[${fieldText(record.reqId)}]`);
  if (record.msg !== undefined) head.push(fieldText(record.msg));
  for (const [key, value] of Object.entries(record)) {
    if (!HEAD_FIELDS.has(key)) head.push(`${key}=${fieldText(value)}`);
  }
  const lines = [escapeForTerminal(head.filter((part) => part !== '').join(' '))];
  const stack = (record.err as { stack?: unknown } | undefined)?.stack;
  if (record.err !== undefined && typeof stack !== 'string')
    lines[0] += ` err=${escapeForTerminal(fieldText(record.err))}`;
  if (typeof stack === 'string') {
    for (const line of stack.split('\n')) lines.push(`    ${escapeForTerminal(line)}`);
  }
  return lines.join('\n');
}
