import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { renderEventDetail } from '../../src/cli/output/event-detail.js';
import { createLineWriter } from '../../src/cli/output/event-line.js';
import {
  createListWriter as createEventWriter,
  EVENT_FORMATS,
  type EventFormat,
} from '../../src/cli/output/event-writer.js';
import { isClosedPipeError } from '../../src/cli/output/pipe.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { CSV_COLUMNS, neutralizeFormula } from '../../src/format/columns.js';

const ESC = '\x1b';
// biome-ignore lint/suspicious/noControlCharactersInRegex: asserting their absence is the point.
const ANSI = /\x1b\[[0-9;]*m/;

const LONG_DESCRIPTION = `Alice Chen deleted tunnel api-staging ${'and explained why at length '.repeat(10)}END`;

const tunnelDeleted: AuditEvent = {
  id: 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E',
  timestamp: '2024-01-15T14:32:18.123Z',
  category: 'tunnel',
  action: 'tunnel.deleted',
  description: LONG_DESCRIPTION,
  actor: { id: 'user_abc123', name: 'Alice Chen', email: 'alice@example.com', type: 'user' },
  target: { type: 'tunnel', id: 'tunnel_xyz789', name: 'api-staging.example.net' },
  context: {
    ip_address: '203.0.113.42',
    user_agent: 'Mozilla/5.0',
    team_id: 'team_456def',
    team_name: 'Engineering',
  },
  changes: { role: { old: 'member', new: 'admin' } },
  metadata: { reason: 'No longer needed for testing' },
};

// Every attacker-controlled field carries a terminal escape or a spreadsheet formula.
const hostile: AuditEvent = {
  id: 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6F',
  timestamp: '2024-01-15T15:00:00.000Z',
  category: 'security',
  action: 'user.login_failed',
  description: '=HYPERLINK("http://evil.example","click")\x1b[2J\x1b[H',
  actor: { id: 'user_evil', name: '+1\x1b[31mred\x1b[0m', email: '\revil@example.com', type: 'user' },
  target: { type: 'user', id: 'user_x', name: '-2\x1b]0;pwned\x07' },
  context: {
    ip_address: '198.51.100.7',
    user_agent: '\tcurl\x9b2J',
    team_id: null,
    team_name: '@SUM(A1:A9)',
  },
  changes: null,
  metadata: { reason: 'bad password\x1b]8;;http://evil\x1b\\' },
};

const EVENTS = [tunnelDeleted, hostile];

function collector(options: { highWaterMark?: number; delayMs?: number; isTTY?: boolean } = {}) {
  const chunks: string[] = [];
  const stream = new Writable({
    highWaterMark: options.highWaterMark ?? 16_384,
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      if (options.delayMs === undefined) callback();
      else setTimeout(callback, options.delayMs);
    },
  });
  if (options.isTTY) Object.assign(stream, { isTTY: true });
  return { stream, text: () => chunks.join('') };
}

async function render(
  format: EventFormat,
  events: AuditEvent[],
  options: { color?: boolean; terminalWidth?: number; isTTY?: boolean } = {},
) {
  const out = collector({ isTTY: options.isTTY });
  const writer = createEventWriter(format, out.stream, {
    zone: 'Europe/Paris',
    color: options.color ?? false,
    terminalWidth: options.terminalWidth,
  });
  for (const event of events) await writer.write(event);
  await writer.end();
  expect(writer.count).toBe(events.length);
  return out.text();
}

/** RFC 4180 as csv-stringify writes it: quoted cells may hold commas, quotes, CR and LF. */
function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let quoted = false;
  for (let i = 0; i < text.length; i += 1) {
    const character = text[i];
    if (quoted) {
      if (character === '"' && text[i + 1] === '"') {
        cell += '"';
        i += 1;
      } else if (character === '"') quoted = false;
      else cell += character;
    } else if (character === '"') quoted = true;
    else if (character === ',') {
      row.push(cell);
      cell = '';
    } else if (character === '\n') {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += character;
  }
  return rows;
}

describe('json', () => {
  it('writes one array that parses back to exactly the events', async () => {
    const text = await render('json', EVENTS);
    expect(JSON.parse(text)).toEqual(EVENTS);
    expect(text.startsWith('[\n')).toBe(true);
    expect(text.endsWith('\n]\n')).toBe(true);
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\x9b');
  });

  it('writes [] for no events', async () => {
    expect(await render('json', [])).toBe('[]\n');
  });
});

describe('ndjson', () => {
  it('writes one parseable event a line', async () => {
    const lines = (await render('ndjson', EVENTS)).trimEnd().split('\n');
    expect(lines.map((line) => JSON.parse(line))).toEqual(EVENTS);
  });

  it('writes nothing for no events', async () => {
    expect(await render('ndjson', [])).toBe('');
  });
});

describe('csv', () => {
  it('writes the SPEC header and one row an event, formulas neutralized', async () => {
    const [header, first, second, ...rest] = parseCsv(await render('csv', EVENTS));
    expect(rest).toEqual([]);
    expect(header).toEqual([...CSV_COLUMNS]);
    expect(header?.join(',')).toBe(
      'id,timestamp,category,action,description,actor_id,actor_name,actor_email,actor_type,target_type,target_id,target_name,ip_address,user_agent,team_id,team_name,changes,metadata',
    );
    const cell = (row: string[] | undefined, column: string) => row?.[CSV_COLUMNS.indexOf(column as never)];

    expect(cell(first, 'description')).toBe(LONG_DESCRIPTION);
    expect(JSON.parse(cell(first, 'changes') ?? '')).toEqual(tunnelDeleted.changes);
    expect(cell(first, 'metadata')).toBe('{"reason":"No longer needed for testing"}');

    expect(cell(second, 'description')?.startsWith(`'=HYPERLINK("http://evil.example","click")`)).toBe(true);
    expect(cell(second, 'actor_name')?.startsWith("'+1")).toBe(true);
    expect(cell(second, 'target_name')?.startsWith("'-2")).toBe(true);
    expect(cell(second, 'team_name')).toBe("'@SUM(A1:A9)");
    expect(cell(second, 'user_agent')?.startsWith("'\tcurl")).toBe(true);
    expect(cell(second, 'actor_email')).toBe("'\revil@example.com");
    expect(cell(second, 'team_id')).toBe('');
    expect(cell(second, 'changes')).toBe('');
  });

  it('makes cells safe only when the CSV goes straight to a terminal', async () => {
    expect(await render('csv', [hostile])).toContain(ESC);
    expect(await render('csv', [hostile], { isTTY: true })).not.toContain(ESC);
  });

  it('writes just the header for no events', async () => {
    expect(await render('csv', [])).toBe(`${CSV_COLUMNS.join(',')}\n`);
  });

  it.each([
    ['=1+1', "'=1+1"],
    ['+1', "'+1"],
    ['-2', "'-2"],
    ['@SUM(A1)', "'@SUM(A1)"],
    ['\tx', "'\tx"],
    ['\rx', "'\rx"],
    ["'=x", "''=x"],
    ["'", "''"],
    ['plain', 'plain'],
    ['', ''],
  ])('neutralizeFormula(%j) is %j', (input, expected) => {
    expect(neutralizeFormula(input)).toBe(expected);
  });
});

describe('tsv', () => {
  it('writes a header and one untruncated, uncoloured line an event', async () => {
    const lines = (await render('tsv', EVENTS, { color: true, terminalWidth: 40 })).trimEnd().split('\n');
    expect(lines[0]).toBe('TIME (Europe/Paris)\tCATEGORY\tACTION\tACTOR\tTARGET\tIP\tDESCRIPTION');
    expect(lines).toHaveLength(3);
    expect(lines[1]).toBe(
      `2024-01-15 15:32:18\ttunnel\ttunnel.deleted\tAlice Chen\tapi-staging.example.net\t203.0.113.42\t${LONG_DESCRIPTION}`,
    );
    for (const line of lines) expect(line.split('\t')).toHaveLength(7);
  });

  it('strips escape sequences from server data', async () => {
    const text = await render('tsv', [hostile]);
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\x9b');
    expect(text).not.toContain('\r');
    expect(text).toContain('+1red');
  });

  it('writes nothing for no events (the caller says so on stderr)', async () => {
    expect(await render('tsv', [])).toBe('');
  });
});

describe('table', () => {
  it('shows a header and the rows, without colour when colour is off', async () => {
    const text = await render('table', EVENTS, { color: false });
    const [header] = text.split('\n');
    expect(header).toMatch(
      /^TIME \(Europe\/Paris\)\s+CATEGORY\s+ACTION\s+ACTOR\s+TARGET\s+IP\s+DESCRIPTION$/,
    );
    expect(text).toContain('2024-01-15 15:32:18');
    expect(text).toContain('Alice Chen');
    expect(text).not.toMatch(ANSI);
  });

  it('colours rows when colour is on', async () => {
    expect(await render('table', EVENTS, { color: true })).toMatch(ANSI);
  });

  it('lets no escape sequence from the data through, colour on or off', async () => {
    for (const color of [false, true]) {
      const text = await render('table', [hostile], { color });
      expect(text).not.toContain('[2J');
      expect(text).not.toContain(']0;pwned');
      expect(text).not.toContain('\x9b');
      if (!color) expect(text).not.toContain(ESC);
    }
  });

  it('truncates the description with … to fit the terminal', async () => {
    const text = await render('table', EVENTS, { terminalWidth: 120 });
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(120);
    expect(text).toContain('…');
    expect(text).not.toContain('END');
  });

  it('keeps TIME and IP on a narrow terminal and hides the least important columns', async () => {
    const text = await render('table', EVENTS, { terminalWidth: 60 });
    const lines = text.trimEnd().split('\n');
    for (const line of lines) expect([...line].length).toBeLessThanOrEqual(60);
    const headers = lines[0]?.split(/\s+/);
    expect(headers).toContain('TIME');
    expect(headers).toContain('IP');
    expect(headers).not.toContain('CATEGORY');
    expect(text).toContain('203.0.113.42');
  });

  it('shows everything without a known terminal width', async () => {
    expect(await render('table', EVENTS)).toContain('END');
  });

  it('writes nothing for no events (the caller says so on stderr)', async () => {
    expect(await render('table', [])).toBe('');
  });
});

describe('backpressure and closed pipes', () => {
  it('delivers every event in order to a slow stream with a tiny buffer', async () => {
    const out = collector({ highWaterMark: 1, delayMs: 1 });
    let drains = 0;
    out.stream.on('drain', () => {
      drains += 1;
    });
    const writer = createEventWriter('ndjson', out.stream, { zone: 'UTC', color: false });
    const events = Array.from({ length: 40 }, (_, index) => ({ ...tunnelDeleted, id: `log_${index}` }));
    for (const event of events) await writer.write(event);
    await writer.end();
    await new Promise<void>((resolve) => out.stream.end(resolve));
    const ids = out
      .text()
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line).id);
    expect(ids).toEqual(events.map((event) => event.id));
    expect(drains).toBeGreaterThan(0);
  });

  it('keeps order even when writes are not awaited', async () => {
    const out = collector({ highWaterMark: 1, delayMs: 1 });
    const writer = createEventWriter('json', out.stream, { zone: 'UTC', color: false });
    const events = Array.from({ length: 20 }, (_, index) => ({ ...hostile, id: `log_${index}` }));
    await Promise.all(events.map((event) => writer.write(event)));
    await writer.end();
    expect(JSON.parse(out.text())).toEqual(events);
  });

  it('rejects with a closed-pipe error once the reader has gone', async () => {
    const stream = new Writable({
      write(_chunk, _encoding, callback) {
        callback(Object.assign(new Error('write EPIPE'), { code: 'EPIPE' }));
      },
    });
    const writer = createEventWriter('ndjson', stream, { zone: 'UTC', color: false });
    const writeTwice = async () => {
      await writer.write(tunnelDeleted);
      await new Promise((resolve) => setImmediate(resolve));
      await writer.write(tunnelDeleted);
    };
    const failure = await writeTwice().catch((error: unknown) => error);
    expect(isClosedPipeError(failure)).toBe(true);
  });
});

describe('renderEventDetail', () => {
  it('shows every field on a labelled line and changes as old → new', () => {
    const text = renderEventDetail(tunnelDeleted, { zone: 'Europe/Paris', color: false });
    expect(text).toContain('ID:          log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E');
    expect(text).toContain('Time:        2024-01-15 15:32:18 CET (2024-01-15T14:32:18.123Z)');
    expect(text).toContain('Category:    tunnel');
    expect(text).toContain('Action:      tunnel.deleted');
    expect(text).toContain('Actor:       Alice Chen <alice@example.com> (user_abc123, user)');
    expect(text).toContain('Target:      tunnel api-staging.example.net (tunnel_xyz789)');
    expect(text).toContain('IP:          203.0.113.42');
    expect(text).toContain('User agent:  Mozilla/5.0');
    expect(text).toContain('Team:        Engineering (team_456def)');
    expect(text).toContain('Changes:\n  role: member → admin\n');
    expect(text).toContain('Metadata:\n  reason: No longer needed for testing\n');
    expect(text).not.toMatch(ANSI);
  });

  it('renders non-string values as compact JSON', () => {
    const event: AuditEvent = {
      ...tunnelDeleted,
      changes: { seats: { old: 5, new: 10 }, enabled: { old: null, new: true }, limits: { max: [1, 2] } },
      metadata: { attempts: 3, details: { nested: { deep: 'x' } } },
    };
    const text = renderEventDetail(event, { zone: 'UTC', color: false });
    expect(text).toContain('  seats: 5 → 10');
    expect(text).toContain('  enabled: null → true');
    expect(text).toContain('  limits: {"max":[1,2]}');
    expect(text).toContain('  attempts: 3');
    expect(text).toContain('  details: {"nested":{"deep":"x"}}');
  });

  it('makes every server value safe for the terminal', () => {
    const text = renderEventDetail(hostile, { zone: 'UTC', color: false });
    expect(text).not.toContain(ESC);
    expect(text).not.toContain('\x9b');
    expect(text).not.toContain('\r');
    expect(text).toContain('Team:        @SUM(A1:A9)');
    expect(text).not.toContain('Changes:');
  });

  it('marks a security-relevant action in colour', () => {
    expect(renderEventDetail(hostile, { zone: 'UTC', color: true })).toMatch(ANSI);
  });
});

describe('writeMany (a page at a time, as exports write)', () => {
  it.each(['csv', 'json', 'ndjson', 'tsv'] as const)(
    '%s: the same bytes as one write an event',
    async (format) => {
      const out = collector({});
      const writer = createEventWriter(format, out.stream, { zone: 'Europe/Paris', color: false });
      await writer.writeMany({ events: EVENTS.slice(0, 1) });
      await writer.writeMany({ events: EVENTS.slice(1) });
      await writer.writeMany({ events: [] });
      await writer.end();
      expect(writer.count).toBe(EVENTS.length);
      expect(out.text()).toBe(await render(format, EVENTS));
    },
  );
});

// Every field of an event is the server's (or an attacker's) to leave out or to send as another type.
describe('an event with missing or mistyped fields', () => {
  const partial = [
    { id: 'x' },
    {},
    { id: 7, timestamp: 1, action: null, actor: 'a', context: [] },
  ] as never[];

  it.each(EVENT_FORMATS)('is listed by -o %s without throwing, its missing fields empty', async (format) => {
    const text = await render(format, partial, { isTTY: true });
    expect(text).not.toContain('undefined');
    if (format === 'json') expect(JSON.parse(text)).toEqual(partial);
  });

  it.each([...EVENT_FORMATS, undefined])('is followed (tail) with -o %s without throwing', (format) => {
    for (const isTTY of [false, true]) {
      const out = collector({ isTTY });
      const writer = createLineWriter(format, out.stream, { zone: 'UTC', color: true, terminalWidth: 120 });
      for (const event of partial) writer.write({ event });
      writer.flush();
      expect(out.text().split('\n').length).toBeGreaterThan(partial.length);
      expect(out.text()).not.toContain('undefined');
    }
  });

  it.each(['toString', 'constructor', '__proto__'])(
    'is followed in colour with the category %j (an Object.prototype name) as plain text',
    (category) => {
      const out = collector({ isTTY: true });
      const writer = createLineWriter(undefined, out.stream, {
        zone: 'UTC',
        color: true,
        terminalWidth: 120,
      });
      writer.write({ event: { id: 'x', category, action: 'a.b' } as never });
      writer.flush();
      expect(out.text()).toContain('a.b');
      expect(out.text()).not.toContain('[object');
    },
  );
});
