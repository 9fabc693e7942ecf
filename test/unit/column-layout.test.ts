import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { WIDE_COLUMNS } from '../../src/cli/output/column-layout.js';
import { createLineWriter } from '../../src/cli/output/event-line.js';
import { createListWriter } from '../../src/cli/output/event-writer.js';
import type { AuditEvent } from '../../src/domain/event.js';
import { EVENT_COLUMNS, LIST_COLUMNS } from '../../src/format/columns.js';
import { zoneHeaderLabel } from '../../src/format/time-format.js';

const IPV6 = '2001:0db8:85a3:0000:0000:8a2e:0370:7334';
const ID = 'log_01JD3X8Q5V4W7Y9Z2A3B4C5D6E';

function incidentEvent(index: number, ip = `198.51.100.${index}`): AuditEvent {
  return {
    id: `${ID.slice(0, -2)}${String(index).padStart(2, '0')}`,
    timestamp: '2024-01-15T14:32:18.123Z',
    category: 'security',
    action: 'user.login_failed',
    description: `Failed sign-in for bob@example.com, wrong password, attempt ${index} of many, from a new device`,
    actor: { id: 'user_bob', name: null, email: 'bob.stone@example-corporation.com', type: 'user' },
    target: { type: 'user', id: 'user_bob', name: 'Bob Stone (engineering)' },
    context: { ip_address: ip, user_agent: 'curl/8', team_id: null, team_name: null },
    changes: null,
    metadata: null,
  } as AuditEvent;
}

function collector() {
  const chunks: string[] = [];
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      chunks.push(chunk.toString());
      callback();
    },
  });
  return { stream, text: () => chunks.join('') };
}

async function table(events: AuditEvent[], options: { terminalWidth?: number; wide?: boolean } = {}) {
  const out = collector();
  const notes: string[] = [];
  const writer = createListWriter('table', out.stream, {
    zone: 'UTC',
    color: false,
    terminalWidth: options.terminalWidth,
    sampleRows: 24,
    columns: options.wide ? WIDE_COLUMNS : undefined,
    wide: options.wide,
    onHiddenColumns: (note) => notes.push(note),
  });
  await writer.writeMany({ events });
  await writer.end();
  return { lines: out.text().trimEnd().split('\n'), notes };
}

function tail(events: AuditEvent[], options: { terminalWidth?: number; wide?: boolean } = {}) {
  const out = collector();
  Object.assign(out.stream, { isTTY: true });
  const notes: string[] = [];
  const writer = createLineWriter(undefined, out.stream, {
    zone: 'UTC',
    color: false,
    terminalWidth: options.terminalWidth,
    columns: options.wide ? WIDE_COLUMNS : undefined,
    wide: options.wide,
    onHiddenColumns: (note) => notes.push(note),
  });
  for (const event of events) writer.write({ event });
  writer.flush();
  return { lines: out.text().trimEnd().split('\n'), notes };
}

const width = (line: string) => [...line].length;
const DEFAULT_HEADERS = ['TIME (UTC)', 'CATEGORY', 'ACTION', 'ACTOR', 'TARGET', 'IP', 'DESCRIPTION'];
const headerNames = (line: string | undefined) => (line ?? '').split(/\s{2,}/);

describe.each([
  ['audit logs (table)', table],
  ['audit tail', tail],
] as const)('%s at 80 columns', (_name, render) => {
  const events = [incidentEvent(1), incidentEvent(2), incidentEvent(3, IPV6)];

  it('shows TIME, ACTION, ACTOR, IP and a shortened DESCRIPTION, one event a line', async () => {
    const { lines } = await render(events, { terminalWidth: 80 });
    expect(headerNames(lines[0])).toEqual(['TIME (UTC)', 'ACTION', 'ACTOR', 'IP', 'DESCRIPTION']);
    expect(lines).toHaveLength(1 + events.length);
    for (const line of lines) expect(width(line)).toBeLessThanOrEqual(80);
    expect(lines[1]).toMatch(
      /^2024-01-15 14:32:18 {2}user\.login_failed +bob\.stone\S*… +198\.51\.100\.1 +Failed \S.*…$/,
    );
  });

  it('never cuts an IP address, even a long IPv6 one after the columns are planned', async () => {
    const { lines } = await render(events, { terminalWidth: 80 });
    expect(lines[3]).toContain(IPV6);
    expect(width(lines[3] ?? '')).toBeLessThanOrEqual(80);
  });

  it('says once which columns it hid and how to see them', async () => {
    const { notes } = await render(events, { terminalWidth: 80 });
    expect(notes).toEqual(['2 columns hidden (CATEGORY, TARGET); widen the terminal or use --wide']);
  });

  it('hides nothing and says nothing on a wide terminal', async () => {
    const { lines, notes } = await render(events, { terminalWidth: 200 });
    expect(headerNames(lines[0])).toEqual(DEFAULT_HEADERS);
    expect(notes).toEqual([]);
  });

  it('with --wide shows every column, the whole event id first, and cuts nothing', async () => {
    const { lines, notes } = await render(events, { terminalWidth: 80, wide: true });
    expect(headerNames(lines[0])).toEqual(['ID', ...DEFAULT_HEADERS]);
    expect(lines[1]?.startsWith(`${events[0]?.id}  2024-01-15 14:32:18`)).toBe(true);
    expect(lines[1]).toContain(events[0]?.description);
    expect(lines.join('\n')).not.toContain('…');
    expect(notes).toEqual([]);
  });
});

/** Terminal cells: East Asian wide characters and emoji take two. */
const cells = (line: string) =>
  [...line].reduce(
    (sum, character) =>
      sum +
      (/[\u1100-\u115f\u2e80-\ua4cf\uac00-\ud7a3\uf900-\ufaff\uff00-\uff60\uffe0-\uffe6]|\p{Extended_Pictographic}/u.test(
        character,
      )
        ? 2
        : 1),
    0,
  );

describe.each([
  ['audit logs (table)', table],
  ['audit tail', tail],
] as const)('%s with Japanese names and an emoji, at 80 columns', (_name, render) => {
  const japanese = (index: number): AuditEvent =>
    ({
      ...incidentEvent(index),
      description: '山田太郎がログインしました。山田太郎がログインしました。🔥 新しい端末から',
      actor: { id: 'user_yamada', name: '山田太郎山田太郎山田太郎山田太郎', email: null, type: 'user' },
      target: { type: 'office', id: 'office_1', name: '東京オフィス東京オフィス東京オフィス' },
    }) as AuditEvent;

  it('keeps each event on one line of the terminal, its columns in line with the header', async () => {
    const { lines } = await render([japanese(1), incidentEvent(2), japanese(3)], { terminalWidth: 80 });
    for (const line of lines) expect(cells(line)).toBeLessThanOrEqual(80);
    // The IP column starts at the same terminal column on every line.
    const ipColumn = (line: string | undefined) => cells((line ?? '').split(/198\.51\.100\.|IP /)[0] ?? '');
    expect(ipColumn(lines[1])).toBe(ipColumn(lines[0]));
    expect(ipColumn(lines[2])).toBe(ipColumn(lines[0]));
    expect(ipColumn(lines[3])).toBe(ipColumn(lines[0]));
  });
});

describe('a table as a stream', () => {
  it('writes the rows after the first screenful as they arrive, before the list ends', async () => {
    const out = collector();
    const writer = createListWriter('table', out.stream, {
      zone: 'UTC',
      color: false,
      terminalWidth: 120,
      sampleRows: 10,
    });
    for (let index = 0; index < 9; index += 1) await writer.write(incidentEvent(index));
    expect(out.text()).toBe('');
    await writer.write(incidentEvent(9));
    expect(out.text().trimEnd().split('\n')).toHaveLength(11);
    await writer.write(incidentEvent(10));
    expect(out.text().trimEnd().split('\n')).toHaveLength(12);
    await writer.end();
    expect(out.text().trimEnd().split('\n')).toHaveLength(12);
  });

  it('keeps the planned widths for later, longer rows, cutting them with …', async () => {
    const out = collector();
    const writer = createListWriter('table', out.stream, {
      zone: 'UTC',
      color: false,
      terminalWidth: 120,
      sampleRows: 2,
    });
    await writer.writeMany({ events: [incidentEvent(1), incidentEvent(2)] });
    await writer.write({ ...incidentEvent(3), action: 'user.a_much_longer_action_name_than_any_before' });
    await writer.end();
    const lines = out.text().trimEnd().split('\n');
    const ipAt = (line: string | undefined) => line?.indexOf('198.51.100.');
    expect(ipAt(lines[3])).toBe(ipAt(lines[1]));
    expect(lines[3]).toMatch(/ user\.a_much_\S*… /);
    expect(lines[3]).not.toContain('before');
  });
});

describe('a table with no terminal to fit (-o table, piped)', () => {
  it('writes a later, longer description in full and leaves the other columns as they are', async () => {
    const long = { ...incidentEvent(2), description: `${'a very long description '.repeat(20)}END` };
    const out = collector();
    const writer = createListWriter('table', out.stream, { zone: 'UTC', color: false, sampleRows: 1 });
    await writer.writeMany({ events: [incidentEvent(1), long] });
    await writer.end();
    const lines = out.text().trimEnd().split('\n');
    const columnsBefore =
      '  user.login_failed  bob.stone@example-corpo…  Bob Stone (engineering)  198.51.100.';
    expect(lines[1]).toContain(columnsBefore);
    expect(lines[2]).toContain(columnsBefore);
    expect(lines[2]).toMatch(/ a very long description .* END$/);
  });
});

describe('the TIME header names the zone', () => {
  it.each([
    ['UTC', 'UTC'],
    ['Etc/UTC', 'UTC'],
    ['Europe/Berlin', 'Europe/Berlin'],
    ['America/New_York', 'America/New_York'],
    ['Etc/GMT-1', 'UTC+01:00'],
    ['Etc/GMT+5', 'UTC-05:00'],
  ])('%s is shown as TIME (%s)', (zone, label) => {
    expect(zoneHeaderLabel(zone)).toBe(label);
  });

  it('in the ID and TIME headers of every column set', async () => {
    const { lines } = await table([incidentEvent(1)], { wide: true });
    expect(lines[0]).toMatch(/^ID +TIME \(UTC\) +CATEGORY/);
    // --wide is the id and the usual seven; the registry has more, for --columns to choose.
    expect(WIDE_COLUMNS.map((column) => column.name)).toEqual([
      'id',
      ...LIST_COLUMNS.map((column) => column.name),
    ]);
    for (const column of WIDE_COLUMNS) expect(EVENT_COLUMNS[column.name]).toBe(column);
  });
});
