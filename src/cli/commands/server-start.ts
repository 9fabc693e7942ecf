import { Command, Option } from 'commander';
import { configDir } from '../../config/paths.js';
import {
  DEFAULT_LOG_LEVEL,
  LOG_FORMATS,
  LOG_LEVELS,
  type LogFormat,
  type LogLevel,
  type ServerLogOptions,
} from '../../server/log-options.js';
import type { DatabaseLocation } from '../../store/database-location.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { ApiError, UsageError } from '../errors.js';
import { examples, integerInRange } from '../parse-options.js';
import { asUsageError } from '../session.js';
import { packageVersion } from '../version.js';
import {
  databaseLocation,
  databaseUrlOption,
  dbOption,
  secretsKeyFile,
  secretsKeyFileOption,
} from './server-admin.js';

interface StartFlags {
  host: string;
  port: number;
  db?: string;
  database?: string;
  secretsKeyFile?: string;
  demo: boolean;
  rateLimit?: number;
  webhookAllowPrivate?: boolean;
  replaceLostSecretsKey?: boolean;
  streamsPerToken?: number;
  streamsPerIp?: number;
  exportsPerToken?: number;
  maxConnections?: number;
  logLevel?: LogLevel;
  logFormat?: LogFormat;
}

export function serverStartCommand(context: CliContext): Command {
  return new Command('start')
    .description('run the bundled audit-log server (SQLite, or PostgreSQL with --database) until Ctrl-C')
    .option('--host <host>', 'address to listen on', '127.0.0.1')
    .option('--port <port>', 'port; 0 picks a free one', integerInRange('--port', 0, 65535), 7787)
    .addOption(dbOption())
    .addOption(databaseUrlOption())
    .addOption(secretsKeyFileOption())
    .option('--demo', 'fill an empty database with 90 days of realistic demo events', false)
    .option(
      '--rate-limit <n>',
      'requests a minute per token (default 600)',
      integerInRange('--rate-limit', 1, 1_000_000),
    )
    .option(
      '--webhook-allow-private',
      'let webhooks reach loopback, private and link-local addresses (refused by default)',
    )
    .option(
      '--replace-lost-secrets-key',
      "the database's .key file is lost for good: make a new one (webhooks then need new secrets)",
    )
    .option(
      '--streams-per-token <n>',
      'live event streams (audit tail) one token may hold at once (default 10)',
      integerInRange('--streams-per-token', 1, 100_000),
    )
    .option(
      '--streams-per-ip <n>',
      'live event streams one client address may hold at once (default 50)',
      integerInRange('--streams-per-ip', 1, 100_000),
    )
    .option(
      '--exports-per-token <n>',
      'export streams (audit export, backup run) one token may hold at once (default 2)',
      integerInRange('--exports-per-token', 1, 1000),
    )
    .option(
      '--max-connections <n>',
      'open connections beyond which new ones are dropped (default 1000)',
      integerInRange('--max-connections', 1, 1_000_000),
    )
    .addOption(
      new Option(
        '--log-level <level>',
        'log records at this level and above (env AUDIT_LOG_LEVEL; default warn)',
      ).choices(LOG_LEVELS),
    )
    .addOption(
      new Option(
        '--log-format <format>',
        'log lines on stderr (env AUDIT_LOG_FORMAT; default: pretty on a terminal, else json)',
      ).choices(LOG_FORMATS),
    )
    .addHelpText(
      'after',
      examples(
        '$ audit server start --demo                    # then, in another terminal: audit logs',
        '$ audit server start --port 0 --db /tmp/audit.db',
        '$ audit server start --host 0.0.0.0 --rate-limit 1200',
        '$ AUDIT_DATABASE_URL=postgres://audit@db:5432/audit audit server start --host 0.0.0.0',
      ),
    )
    .action(async (flags: StartFlags, command: Command) => {
      const profileFlag = (command.optsWithGlobals() as { profile?: string }).profile;
      // A first start saves the owner's token in this profile: a bad name stops it before it starts.
      const { chooseProfile } = await import('../../config/settings.js');
      asUsageError(() => chooseProfile({ profile: profileFlag }, context.env, { activeName: () => '' }));
      const { startServer } = await import('../../server/start.js');
      const location = await databaseLocation(context, flags);
      refuseSqliteOnlyFlags(location, flags);
      const dbFile = location.kind === 'sqlite' ? location.file : '';
      const logging = serverLogging(context, flags);
      let server: Awaited<ReturnType<typeof startServer>>;
      try {
        server = await startServer({
          dbFile,
          ...(location.kind === 'postgres'
            ? { databaseUrl: location.url, secretsKeyFile: secretsKeyFile(context, flags.secretsKeyFile) }
            : {}),
          host: flags.host,
          port: flags.port,
          demo: flags.demo,
          rateLimitPerMinute: flags.rateLimit,
          webhookAllowPrivate: flags.webhookAllowPrivate ?? false,
          replaceLostSecretsKey: flags.replaceLostSecretsKey ?? false,
          maxStreamsPerToken: flags.streamsPerToken,
          maxStreamsPerAddress: flags.streamsPerIp,
          exportsPerToken: flags.exportsPerToken,
          maxConnections: flags.maxConnections,
          version: packageVersion(),
          logging,
          log: (line) => writeLine(context.stderr, line),
        });
      } catch (error) {
        throw startFailure(error, flags);
      }
      if (server.bootstrap)
        await announceFirstStart(
          context,
          server.url,
          server.bootstrap,
          profileFlag,
          server.app.services.logKey,
        );
      if (server.purged > 0)
        writeLine(context.stderr, `Purged ${server.purged} events past the retention window.`);
      writeLine(context.stderr, `Database: ${await describeDatabase(location)}`);
      writeLine(context.stderr, `Log signing key: ${await describeLogKey(server.app.services.logKey)}`);
      writeLine(context.stdout, `Listening on ${server.url}`);
      const signal = await context.interrupted;
      writeLine(context.stderr, `Received ${signal}; finishing requests and closing the database…`);
      await server.close();
    });
}

async function announceFirstStart(
  context: CliContext,
  url: string,
  bootstrap: { organization: string; ownerEmail: string; token: string },
  profileFlag: string | undefined,
  logKey: { name: string; verifierKey: string },
) {
  const { openProfileStore } = await import('../../config/profile-store.js');
  const store = openProfileStore(configDir(context.env));
  const { chooseProfile } = await import('../../config/settings.js');
  const { profile } = chooseProfile({ profile: profileFlag }, context.env, store);
  store.saveActive(profile, { server: url, org: bootstrap.organization, token: bootstrap.token });
  // The profile now points at this new server: pin its log key now, the one moment the CLI
  // knows for certain which server it talks to (audit verify would pin it on first use).
  const { openKnownLogs } = await import('../../config/known-logs.js');
  const { verifierKeyFingerprint } = await import('../../domain/key-fingerprint.js');
  openKnownLogs(configDir(context.env)).update(profile, bootstrap.organization, () => ({
    verifier_key: logKey.verifierKey,
    fingerprint: verifierKeyFingerprint(logKey.verifierKey),
    pinned_at: new Date().toISOString(),
  }));
  writeLine(
    context.stdout,
    `Created organization "${bootstrap.organization}" with owner ${bootstrap.ownerEmail}.`,
  );
  writeLine(context.stdout, `Owner token (shown once; saved to profile "${profile}" in ${store.path}):`);
  writeLine(context.stdout, `  ${bootstrap.token}`);
}

/** Flags of one engine given to the other are refused, not ignored. */
function refuseSqliteOnlyFlags(location: DatabaseLocation, flags: StartFlags): void {
  if (location.kind === 'sqlite' && flags.secretsKeyFile !== undefined)
    throw new UsageError(
      '--secrets-key-file is for PostgreSQL; SQLite keeps its key beside the database file',
    );
  if (location.kind === 'postgres' && flags.replaceLostSecretsKey)
    throw new UsageError(
      '--replace-lost-secrets-key is for SQLite; on PostgreSQL copy the key file the other instances use',
    );
}

async function describeDatabase(location: DatabaseLocation): Promise<string> {
  if (location.kind === 'sqlite') return location.file;
  const { redactedUrl } = await import('../../store/database-location.js');
  return redactedUrl(location.url);
}

function startFailure(error: unknown, flags: StartFlags): Error {
  const code = (error as { code?: string }).code;
  if (code === 'EADDRINUSE')
    return new ApiError(`port ${flags.port} on ${flags.host} is in use; choose another with --port`);
  if (code === 'EACCES') return new ApiError(`not allowed to listen on ${flags.host}:${flags.port}`);
  if (
    code === 'ERR_SECRETS_KEY' ||
    code === 'ERR_LOG_KEY' ||
    code === 'ERR_SCHEMA_MISMATCH' ||
    code === 'ERR_DATABASE_OPEN'
  )
    return new ApiError((error as Error).message);
  if (code === 'SQLITE_CANTOPEN' || code === 'SQLITE_NOTADB') {
    return new ApiError(`cannot open the database: ${(error as Error).message}`);
  }
  return error as Error;
}

/** The flag, else the environment, else the default; a bad environment value is a usage error. */
function serverLogging(context: CliContext, flags: StartFlags): ServerLogOptions {
  return {
    level: flags.logLevel ?? fromEnvironment(context, 'AUDIT_LOG_LEVEL', LOG_LEVELS) ?? DEFAULT_LOG_LEVEL,
    format:
      flags.logFormat ??
      fromEnvironment(context, 'AUDIT_LOG_FORMAT', LOG_FORMATS) ??
      (context.stderr.isTTY ? 'pretty' : 'json'),
    destination: context.stderr,
  };
}

function fromEnvironment<T extends string>(
  context: CliContext,
  name: string,
  allowed: readonly T[],
): T | undefined {
  const value = context.env[name];
  if (value === undefined || value === '') return undefined;
  if ((allowed as readonly string[]).includes(value)) return value as T;
  throw new UsageError(`${name} must be one of ${allowed.join(', ')}; got "${value}"`);
}

/** The key's name and fingerprint: what `audit verify` pins and `audit server key show` prints. */
async function describeLogKey(key: { name: string; verifierKey: string }): Promise<string> {
  const { parseVerifierKey } = await import('../../domain/signed-note.js');
  const { keyFingerprint } = await import('../../domain/key-fingerprint.js');
  return `${key.name} ${keyFingerprint(parseVerifierKey(key.verifierKey).publicKey)}`;
}
