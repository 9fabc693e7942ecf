import type { Command } from 'commander';
import type { AuditClient } from '../client/client.js';
import type { RetryInfo } from '../client/http.js';
import { configDir } from '../config/paths.js';
import type { Connection } from '../config/settings.js';
import { SettingsError } from '../config/settings-error.js';
import type { TokenCheck } from '../domain/token.js';
import type { CliContext } from './context.js';
import { displayZone } from './dates.js';
import { AuthError, UsageError } from './errors.js';
import { type GlobalFlags, globalFlags } from './globals.js';

export const LIST_FORMATS = ['table', 'json', 'ndjson', 'csv'] as const;
export type ListFormat = (typeof LIST_FORMATS)[number] | 'tsv';

/**
 * What an action works with, resolved from the global flags, the environment and the profile:
 * the connection, the display zone, colour, and a client made on first use (so `--help` and
 * usage errors never load the HTTP stack or read the config file).
 */
export interface Session {
  context: CliContext;
  flags: GlobalFlags;
  /** The display zone, worked out when first read. */
  readonly zone: string;
  color: boolean;
  stdoutIsTerminal: boolean;
  connection(): Promise<SessionConnection>;
  client(options?: {
    attempts?: number;
    requireToken?: boolean;
    token?: string;
    server?: string;
    /** Told about each retry (export and backup count them in their progress). */
    onRetry?: (info: RetryInfo) => void;
  }): Promise<AuditClient>;
  trace: ((line: string) => void) | undefined;
}

export async function openSession(context: CliContext, command: Command): Promise<Session> {
  const flags = globalFlags(command);
  // A --tz is checked at once (a usage error before any work); the system's zone is worked out
  // on first use, since Intl's first use costs some 25 ms that whoami or login never need.
  const zoneOf = () => displayZone({ tz: flags.tz, utc: flags.utc, env: context.env });
  let zone = flags.tz === undefined ? undefined : zoneOf();
  const stdoutIsTerminal = Boolean(context.stdout.isTTY);
  const trace = flags.debug ? (line: string) => context.stderr.write(`[debug] ${line}\n`) : undefined;
  let connection: Promise<SessionConnection> | undefined;

  const session: Session = {
    context,
    flags,
    get zone() {
      zone ??= zoneOf();
      return zone;
    },
    color: colorEnabled(flags, context),
    stdoutIsTerminal,
    trace,
    connection() {
      connection ??= loadConnection(context, flags);
      return connection;
    },
    async client(options = {}) {
      const resolved = await session.connection();
      const token = options.token ?? resolved.token;
      const server = options.server ?? resolved.server;
      if (options.requireToken !== false) {
        // Loaded here, not at start: its checksum needs node:zlib, which a command that sends
        // no request (profile list, a usage error) has no use for.
        const { checkTokenFormat } = await import('../domain/token.js');
        assertUsableToken(token, resolved, checkTokenFormat);
      }
      if (token) {
        const { assertTokenMayGo, insecureFromEnv } = await import('../config/server-binding.js');
        asUsageError(() =>
          assertTokenMayGo({
            server,
            serverSource: options.server === undefined ? resolved.serverSource : 'flag',
            profile: resolved.profile,
            boundServer: options.token === undefined ? resolved.boundServer : undefined,
            insecure: flags.insecure === true || insecureFromEnv(context.env),
          }),
        );
      }
      const [{ AuditClient }, { compileWasmForQuickExit }] = await Promise.all([
        import('../client/client.js'),
        import('../client/undici.js'),
      ]);
      compileWasmForQuickExit();
      return new AuditClient({
        server,
        org: resolved.org,
        token,
        attempts: options.attempts,
        trace,
        onRetry: options.onRetry,
        signal: context.signal,
      });
    },
  };
  return session;
}

/** The connection, and for a hint when its profile has no token: the profiles that have one. */
type SessionConnection = Connection & { profilesWithToken?: string[] };

async function loadConnection(context: CliContext, flags: GlobalFlags): Promise<SessionConnection> {
  const [{ readProfiles, isExposedFile }, { resolveConnection }, { checkServerUrl }] = await Promise.all([
    import('../config/profile-reader.js'),
    import('../config/settings.js'),
    import('../config/server-url.js'),
  ]);
  const warnExposed = (what: string, path: string) =>
    context.stderr.write(`audit: warning: ${what} is readable by other users; run: chmod 600 ${path}\n`);
  return asUsageError(() => {
    const store = readProfiles(configDir(context.env));
    if (store.isExposed()) warnExposed(store.path, store.path);
    const connection: SessionConnection = resolveConnection(flags, context.env, store);
    connection.profilesWithToken = store.namesWithToken();
    const source = SERVER_SOURCES[connection.serverSource];
    if (source) checkServerUrl(connection.server, source(connection.profile, store.path));
    const tokenFile = context.env.AUDIT_TOKEN_FILE;
    if (connection.tokenSource === 'AUDIT_TOKEN_FILE' && tokenFile && isExposedFile(tokenFile)) {
      warnExposed(`AUDIT_TOKEN_FILE ${tokenFile}`, tokenFile);
    }
    return connection;
  });
}

/** How an error names where the server came from; the default needs no check. */
const SERVER_SOURCES: Record<
  Connection['serverSource'],
  ((profile: string, file: string) => string) | undefined
> = {
  flag: () => '--server',
  env: () => 'AUDIT_SERVER',
  profile: (profile, file) => `the server of profile "${profile}" (${file})`,
  default: undefined,
};

/** The config layer's one-line SettingsError is the user's to fix: exit 2. */
export function asUsageError<T>(work: () => T): T {
  try {
    return work();
  } catch (error) {
    if (error instanceof SettingsError) throw new UsageError(error.message, { cause: error });
    throw error;
  }
}

/** A missing or mistyped token is caught here, before any request leaves the machine. */
function assertUsableToken(
  token: string | undefined,
  connection: SessionConnection,
  checkTokenFormat: (token: string) => TokenCheck,
): asserts token is string {
  if (!token) throw new AuthError(notLoggedIn(connection));
  const check = checkTokenFormat(token);
  if (!check.ok) {
    const source =
      connection.tokenSource === 'profile' ? `profile "${connection.profile}"` : connection.tokenSource;
    throw new AuthError(`the token from ${source} is not valid: ${sentenceFragment(check.reason)}`);
  }
}

/**
 * Not logged in, and the ways out: sign in to this profile, or switch to one that has a token
 * (with `audit profile use`, or by changing the --profile or AUDIT_PROFILE that chose it).
 */
function notLoggedIn(connection: SessionConnection): string {
  const { profile, profileSource } = connection;
  const other = connection.profilesWithToken?.find((name) => name !== profile);
  const hasToken = other ? ` (${other} has a token)` : '';
  const switchTo = {
    config: `switch with audit profile use ${other ?? 'NAME'}`,
    flag: `pick another --profile${hasToken}`,
    env: `change AUDIT_PROFILE${hasToken}`,
  }[profileSource];
  return (
    `not logged in (profile "${profile}"): sign in with audit login --profile ${profile}, ` +
    `${switchTo}, or set AUDIT_TOKEN; audit profile list shows every profile`
  );
}

export function sentenceFragment(sentence: string): string {
  return sentence.replace(/^./, (first) => first.toLowerCase()).replace(/\.$/, '');
}

function colorEnabled(flags: GlobalFlags, context: CliContext): boolean {
  if (flags.color === false || context.env.NO_COLOR !== undefined || context.env.TERM === 'dumb')
    return false;
  if (context.env.FORCE_COLOR !== undefined && context.env.FORCE_COLOR !== '0') return true;
  return Boolean(context.stdout.isTTY);
}

/**
 * `-o` for list commands (or the format another flag implies, as `--json` does): a format;
 * default a table on a terminal, tab-separated when piped.
 */
export function listFormat(session: Session, requested = session.flags.output): ListFormat {
  if (requested === undefined) return session.stdoutIsTerminal ? 'table' : 'tsv';
  if (!(LIST_FORMATS as readonly string[]).includes(requested)) {
    throw new UsageError(`--output must be one of ${LIST_FORMATS.join(', ')}; got "${requested}"`);
  }
  return requested as ListFormat;
}
