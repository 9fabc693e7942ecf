import { redactedUrl } from '../database-location.js';
import { PostgresNotDurableError } from './durability.js';

/** Network failures of reaching the server, in the words an operator acts on. */
const NETWORK: Record<string, string> = {
  ECONNREFUSED: 'connection refused (is PostgreSQL running and listening there?)',
  ENOTFOUND: 'the host name does not resolve',
  EAI_AGAIN: 'the host name could not be resolved now',
  ETIMEDOUT: 'the connection timed out',
  EHOSTUNREACH: 'the host cannot be reached',
  ENETUNREACH: 'the network cannot be reached',
  ECONNRESET: 'the connection was reset',
  ENOENT: 'no PostgreSQL socket at that path',
};

/**
 * SQLSTATE classes that say the database cannot be used as configured: 08 connection, 28 login,
 * 3D no such database, 42501 a privilege missing (the role may not create the schema), 53 too
 * many connections or out of resources, 57P03 starting up or shutting down.
 */
const OPERATOR_STATES = /^(08|28|3D|53)|^(42501|57P03)$/;

/**
 * One line for a PostgreSQL database that cannot be opened, naming it without its password, or
 * undefined for a failure that is not the operator's to fix (a bug: let it surface as such).
 */
export function describeOpenFailure(error: unknown, url: string): string | undefined {
  if (!(error instanceof Error)) return undefined;
  const where = redactedUrl(url);
  const code = (error as { code?: unknown }).code;
  if (error instanceof PostgresNotDurableError) return `${error.message}: ${where}`;
  // Ours (ERR_SECRETS_KEY, ERR_SCHEMA_MISMATCH): the caller words them, whatever they say.
  if (typeof code === 'string' && code.startsWith('ERR_')) return undefined;
  // A file the URL names (sslrootcert, sslcert, sslkey) that cannot be read: it has a path where
  // a socket's failure has an address.
  if ('path' in error) return `cannot use the database ${where}: ${oneLine(error.message)}`;
  if (typeof code === 'string' && NETWORK[code]) return `cannot connect to ${where}: ${NETWORK[code]}`;
  if (typeof code === 'string' && OPERATOR_STATES.test(code))
    return `cannot use the database ${where}: ${oneLine(error.message)}`;
  if (/timeout exceeded when trying to connect|Connection terminated/i.test(error.message))
    return `cannot connect to ${where}: ${oneLine(error.message)}`;
  if (/SSL|certificate/i.test(error.message)) return `cannot connect to ${where}: ${oneLine(error.message)}`;
  return undefined;
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
