import { describe, expect, it } from 'vitest';
import { DatabaseUrlError, postgresLocation, redactedUrl } from '../../src/store/database-location.js';

// A password holding '/', '?' or '#' unescaped: the URL parser (WHATWG, as the driver's) ends the
// userinfo there, takes the digits before it for a port and the rest for the path, query or
// fragment, where the redaction did not look.
const MISREAD = [
  'postgres://audit:1234/s3cret@db.internal:5432/audit',
  'postgres://audit:1234?s3cret@db.internal:5432/audit',
  'postgres://audit:1234#s3cret@db.internal:5432/audit',
];

describe('a database URL whose password the parser misreads', () => {
  it.each(MISREAD)(
    'is refused without repeating it, and redacted whole (threat: the password on stderr and in logs): %s',
    (url) => {
      expect(redactedUrl(url)).not.toMatch(/s3cret|1234/);
      let refusal: unknown;
      try {
        postgresLocation(url);
      } catch (error) {
        refusal = error;
      }
      expect(refusal).toBeInstanceOf(DatabaseUrlError);
      expect((refusal as Error).message).not.toMatch(/s3cret|1234/);
      expect((refusal as Error).message).toMatch(/%2F/);
    },
  );

  it('still takes an escaped password and an @ in the user name', () => {
    expect(postgresLocation('postgres://audit:1234%2Fs3cret@db.internal:5432/audit').kind).toBe('postgres');
    expect(redactedUrl('postgres://audit:1234%2Fs3cret@db.internal:5432/audit')).toBe(
      'postgres://audit:*****@db.internal:5432/audit',
    );
    expect(postgresLocation('postgres://ops@corp:pw@db.internal/audit').kind).toBe('postgres');
  });
});
