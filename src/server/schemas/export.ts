import { type Static, Type } from 'typebox';
import {
  EXPORT_CHUNK_MAX_BYTES,
  EXPORT_CHUNK_MAX_ROWS,
  EXPORT_ROW_FIELDS,
  EXPORT_STREAM_MEDIA_TYPE,
} from '../../domain/export-stream.js';
import { ListQuerySchema } from './list.js';

/** List parameters the export has no use for: it is always oldest first, in chunks it sizes. */
export const LIST_ONLY_PARAMETERS = ['order', 'per_page', 'page', 'after'] as const;

/** The list's filters, `cursor`, `received_before` and `tree_size`. */
export const ExportQuerySchema = Type.Omit(ListQuerySchema, [...LIST_ONLY_PARAMETERS], {
  additionalProperties: false,
});
export type ExportQuery = Static<typeof ExportQuerySchema>;

const HeadLine = Type.Object(
  {
    columns: Type.Array(Type.String(), {
      description: `the fields of every row, in order: ${EXPORT_ROW_FIELDS.join(', ')}`,
    }),
    received_before: Type.Union([Type.String(), Type.Null()], {
      description:
        'the pinned upper bound: the one asked for, else the server’s time when the export started; null when tree_size pins the range',
    }),
  },
  { additionalProperties: false, description: 'the first line' },
);

const ChunkLine = Type.Object(
  {
    cursor: Type.String({
      description: 'the keyset cursor after this chunk’s last row: `cursor=` resumes after it',
    }),
    rows: Type.Array(
      Type.Array(Type.Union([Type.String(), Type.Null(), Type.Object({}, { additionalProperties: true })])),
      {
        minItems: 1,
        description: `at most ${EXPORT_CHUNK_MAX_ROWS} rows, or about ${EXPORT_CHUNK_MAX_BYTES} bytes of them; each row an array of the head's columns (changes and metadata objects, missing values null)`,
      },
    ),
  },
  { additionalProperties: false, description: 'a chunk of rows, oldest first' },
);

const EndLine = Type.Object(
  {
    end: Type.Literal(true),
    count: Type.Integer({ minimum: 0, description: 'the rows of this response' }),
  },
  { additionalProperties: false, description: 'the last line; a response without it was cut' },
);

/** What every line of the 200 is (newline-delimited JSON): the head, chunks, then the end. */
export const ExportLineSchema = Type.Union([HeadLine, ChunkLine, EndLine]);

export const EXPORT_DESCRIPTION = [
  'The whole range as one chunked `application/x-ndjson` answer, oldest first (by timestamp, then',
  'order of arrival): a head line naming the row columns and the pinned `received_before`, chunk',
  'lines of rows, and an end line with the count. A response without the end line was cut: ask',
  'again with the same filters, the same `received_before` or `tree_size`, and `cursor` set to the',
  'last complete chunk’s cursor. A list page’s `next_cursor` (order=asc) is a cursor too.',
  'The request costs what a list request costs, and so does every further chunk (up to 1,000 rows)',
  'in the token’s rate limit; a stream whose token has none left pauses until the window resets.',
  'A token may hold a few export streams at once (429 `too-many-exports` past that).',
].join(' ');

export const ExportOkResponse = {
  description: 'The export stream',
  content: { [EXPORT_STREAM_MEDIA_TYPE]: { schema: ExportLineSchema } },
};
