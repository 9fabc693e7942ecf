/**
 * Where the server's data lives: a SQLite file (the default, one machine) or a PostgreSQL
 * database shared by any number of server instances.
 */
export type DatabaseLocation =
  | { kind: 'sqlite'; file: string }
  | {
      kind: 'postgres';
      /** The connection URL as given, password included: handed to the driver, never shown. */
      url: string;
    };

/** A PostgreSQL URL that cannot be used as given; its message never repeats the password. */
export class DatabaseUrlError extends Error {
  override readonly name = 'DatabaseUrlError';
}

const SCHEMES = new Set(['postgres:', 'postgresql:']);

/**
 * Checks a PostgreSQL connection URL (`postgres://user:pass@host:5432/db`, libpq's form) and
 * answers it unchanged. Only the scheme, a host or socket and a database name are required;
 * the driver reads the rest (sslmode, a password from PGPASSWORD or ~/.pgpass when absent).
 */
export function postgresLocation(url: string): DatabaseLocation {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw new DatabaseUrlError(
      'the database URL is not a URL: give postgres://USER@HOST:PORT/DATABASE (the password in AUDIT_DATABASE_URL, PGPASSWORD or ~/.pgpass)',
    );
  }
  if (!SCHEMES.has(parsed.protocol)) {
    throw new DatabaseUrlError(
      `the database URL must start with postgres:// or postgresql://, not ${JSON.stringify(parsed.protocol)} (a SQLite file is given with --db)`,
    );
  }
  if (misplacedAt(parsed)) {
    throw new DatabaseUrlError(
      "the database URL has an '@' after its host: a password holding '/', '?' or '#' must be written %2F, %3F or %23 (or give it in PGPASSWORD or ~/.pgpass)",
    );
  }
  const database = decodeURIComponent(parsed.pathname.replace(/^\//, ''));
  if (!database && !parsed.searchParams.has('dbname')) {
    throw new DatabaseUrlError(`the database URL names no database: ${redactedUrl(url)}`);
  }
  return { kind: 'postgres', url };
}

/** The URL with its password (and any `password=` parameter) replaced, for messages and logs. */
export function redactedUrl(url: string): string {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    return '(a database URL that is not a URL)';
  }
  // The parser took part of a password for the port and the rest for the path, query or fragment.
  if (misplacedAt(parsed)) return `${parsed.protocol}//*****`;
  if (parsed.password) parsed.password = '*****';
  for (const key of [...parsed.searchParams.keys()]) {
    if (/pass/i.test(key)) parsed.searchParams.set(key, '*****');
  }
  return parsed.toString();
}

/** An '@' after the authority: the userinfo ended early at a '/', '?' or '#' of the password. */
function misplacedAt(parsed: URL): boolean {
  return `${parsed.pathname}${parsed.search}${parsed.hash}`.includes('@');
}

/** Whether the URL carries a password of its own (visible to anyone who can list processes). */
export function urlHasPassword(url: string): boolean {
  try {
    const parsed = new URL(url);
    return parsed.password !== '' || [...parsed.searchParams.keys()].some((key) => /pass/i.test(key));
  } catch {
    return false;
  }
}

/** How a location is named to an operator: the file, or the URL without its password. */
export function describeLocation(location: DatabaseLocation): string {
  return location.kind === 'sqlite' ? location.file : redactedUrl(location.url);
}
