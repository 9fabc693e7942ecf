import { describe, expect, it } from 'vitest';
import type { AuditEvent } from '../../src/domain/event.js';
import { decodeResumePoint, encodeResumePoint } from '../../src/export/export-cursor.js';
import {
  ColumnChoiceError,
  chooseCsvColumns,
  chooseJsonFields,
  chooseListColumns,
  JSON_FIELDS,
  LIST_COLUMN_NAMES,
  pickFields,
} from '../../src/format/column-choice.js';
import { CSV_COLUMNS } from '../../src/format/columns.js';
import { csvHeader, csvLine } from '../../src/format/csv.js';

/** A whole event as the API returns it, with `overrides`. */
function makeEvent(overrides: Partial<AuditEvent> = {}): AuditEvent {
  return {
    id: 'log_0',
    timestamp: '2024-01-01T00:00:00.000Z',
    category: 'auth',
    action: 'user.login',
    description: null,
    actor: null,
    target: null,
    context: null,
    changes: null,
    metadata: null,
    ...overrides,
  };
}

describe('--columns for a table or TSV', () => {
  it('chooses registry columns in the order given, each once, whatever the case', () => {
    const columns = chooseListColumns(['ID', 'time', 'actor_email', 'ip', 'id']);
    expect(columns.map((column) => column.name)).toEqual(['id', 'time', 'actor_email', 'ip']);
  });

  it('names are lower_snake and every column has a header', () => {
    for (const name of LIST_COLUMN_NAMES) expect(name).toMatch(/^[a-z]+(_[a-z]+)*$/);
    expect(LIST_COLUMN_NAMES).toEqual(
      expect.arrayContaining([
        'id',
        'team',
        'user_agent',
        'actor_email',
        'actor_id',
        'target_type',
        'target_id',
      ]),
    );
  });

  it('an unknown name is refused with every valid one', () => {
    expect(() => chooseListColumns(['id', 'nope'])).toThrow(ColumnChoiceError);
    expect(() => chooseListColumns(['nope'])).toThrow(`choose from ${LIST_COLUMN_NAMES.join(', ')}`);
  });

  it('a name that is a property of every object (constructor, __proto__, toString) is no column', () => {
    for (const name of ['constructor', '__proto__', 'toString', 'hasOwnProperty']) {
      expect(() => chooseListColumns([name]), name).toThrow(ColumnChoiceError);
      expect(() => chooseCsvColumns([name]), name).toThrow(ColumnChoiceError);
      expect(() => chooseJsonFields([name]), name).toThrow(ColumnChoiceError);
    }
  });

  it('the cells of the new columns come from the event and are made safe for a terminal', () => {
    const event = makeEvent({
      actor: { id: 'user_1', name: 'A', email: 'a@example.com\u001b[2J', type: 'user' },
      target: { type: 'tunnel', id: 'tunnel_1', name: null },
      context: { ip_address: null, user_agent: 'curl\u202e/8', team_id: 'team_1', team_name: null },
    });
    const cells = chooseListColumns(['actor_email', 'target_type', 'target_id', 'user_agent', 'team']).map(
      (column) => column.value(event, 'UTC'),
    );
    expect(cells).toEqual(['a@example.com', 'tunnel', 'tunnel_1', 'curl/8', 'team_1']);
  });
});

describe('--columns for a CSV', () => {
  it('takes the CSV names, and time and ip for timestamp and ip_address', () => {
    expect(chooseCsvColumns(['id', 'time', 'ip', 'actor_email', 'ip_address'])).toEqual([
      'id',
      'timestamp',
      'ip_address',
      'actor_email',
    ]);
  });

  it('refuses the table names that would be ambiguous in a CSV, saying which columns they could mean', () => {
    expect(() => chooseCsvColumns(['actor'])).toThrow(
      '"actor" is unknown; in CSV it is one of actor_id, actor_name, actor_email, actor_type; CSV columns are',
    );
    expect(() => chooseCsvColumns(['team'])).toThrow('team_id, team_name');
    expect(() => chooseCsvColumns(['bogus'])).toThrow(`CSV columns are ${CSV_COLUMNS.join(', ')}`);
  });

  it('a line of chosen columns: the header follows them, formulas stay neutralized, quotes where needed', () => {
    const event = makeEvent({ id: 'log_1', description: '=HYPERLINK("http://evil")', action: 'a,b' });
    const columns = chooseCsvColumns(['description', 'id', 'action']);
    expect(csvHeader(columns)).toBe('description,id,action\n');
    expect(csvLine(event, false, columns)).toBe(`"'=HYPERLINK(""http://evil"")",log_1,"a,b"\n`);
  });

  it('on a terminal the chosen cells are stripped of escapes too', () => {
    const event = makeEvent({ description: 'x\u001b]52;c;cGF5bG9hZA==\u0007y' });
    expect(csvLine(event, true, chooseCsvColumns(['description']))).toBe('xy\n');
  });
});

describe('--json FIELDS', () => {
  it('picks top-level fields in the order given; a missing one is null', () => {
    const event = makeEvent({ id: 'log_1', action: 'user.login' });
    const fields = chooseJsonFields(['action', 'id', 'metadata']);
    expect(pickFields({ ...event, metadata: undefined } as never, fields)).toEqual({
      action: 'user.login',
      id: 'log_1',
      metadata: null,
    });
    expect(Object.keys(pickFields(event, fields))).toEqual(['action', 'id', 'metadata']);
  });

  it('a nested name is refused, pointing at its top-level field; an unknown one lists the fields', () => {
    expect(() => chooseJsonFields(['actor.email'])).toThrow(
      'fields are top-level only: pick actor and reach inside it with --jq',
    );
    expect(() => chooseJsonFields(['who'])).toThrow(`available fields: ${JSON_FIELDS.join(', ')}`);
  });
});

describe('the resume cursor and --columns', () => {
  it('carries the columns, and a cursor printed before --columns still decodes (every column)', () => {
    const point = { pageCursor: 'p', receivedBefore: '2024-01-01T00:00:00.000Z', written: 5 };
    expect(decodeResumePoint(encodeResumePoint({ ...point, columns: ['id', 'action'] }))).toEqual({
      ...point,
      columns: ['id', 'action'],
    });
    expect(decodeResumePoint(encodeResumePoint(point))).toEqual(point);
  });

  it('refuses a cursor whose columns are not a list of names', () => {
    const forged = (columns: unknown) =>
      `exp1.${Buffer.from(JSON.stringify([1, null, '2024-01-01T00:00:00.000Z', 0, null, columns])).toString('base64url')}`;
    for (const columns of [[], 'id', [1], [null], {}]) {
      expect(() => decodeResumePoint(forged(columns)), JSON.stringify(columns)).toThrow('--cursor');
    }
  });
});
