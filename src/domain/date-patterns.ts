/**
 * The date and time forms the CLI and the API accept, written once. The parsers (time.ts for
 * the API, date-flags.ts for the CLI's zone-aware flags) and the names that carry a day
 * (backups, split periods) all read them from here.
 */

/** `YYYY-MM-DD`, with the parts captured. */
export const DATE_ONLY = /^(\d{4})-(\d{2})-(\d{2})$/;

/** An instant that names its offset (Z or ±hh:mm): a bare local time is ambiguous on a server. */
export const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** The same, as a user may type it on the command line: a space may stand for the `T`. */
export const TYPED_INSTANT = /^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,9})?)?(Z|[+-]\d{2}:?\d{2})$/i;

/** A wall-clock time without an offset, read in the display zone: date, hours, minutes, seconds, ms. */
export const LOCAL_TIME = /^(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,3}))?)?$/i;

/** The server's `since`: digits and one unit, captured. */
export const DURATION = /^(\d{1,6})(s|m|h|d|w)$/;

/** A split period as an export names its files: a month `YYYY-MM` or a day `YYYY-MM-DD`. */
export const PERIOD = /^\d{4}-\d{2}(-\d{2})?$/;

/** The day pattern without anchors, to embed in a file-name pattern. */
export const DAY_IN_NAME = '(\\d{4}-\\d{2}-\\d{2})';
