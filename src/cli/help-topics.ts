/** `audit help environment` and `audit help exit-codes`: reference pages that are not commands. */
import { EXIT } from './errors.js';

/** Every variable the program reads; a test greps src/ for AUDIT_ so this list cannot fall behind. */
export const ENVIRONMENT: readonly (readonly [name: string, meaning: string])[] = [
  ['AUDIT_SERVER', 'server URL (below --server, above the profile; default http://127.0.0.1:7787)'],
  ['AUDIT_ORG', "organization (below --org, above the profile; default: the token's own)"],
  ['AUDIT_PROFILE', 'profile to use (below --profile; default: the active profile); first start creates it'],
  ['AUDIT_TOKEN', "API token (above the profile's token; there is no --token flag, by design)"],
  [
    'AUDIT_TOKEN_FILE',
    'a file holding the API token (for cron, containers and secret mounts); warns if others can read it',
  ],
  ['AUDIT_INSECURE', 'set to 1: allow plain http to a server not on this machine (same as --insecure)'],
  ['AUDIT_CONFIG_DIR', 'where profiles live (default $XDG_CONFIG_HOME/audit, else ~/.config/audit)'],
  ['AUDIT_DATA_DIR', 'where the bundled server keeps audit.db and backups go (default $XDG_DATA_HOME/audit)'],
  ['AUDIT_DB', "the bundled server's database file (same as --db)"],
  [
    'AUDIT_DATABASE_URL',
    'a PostgreSQL database for audit server start and the admin commands, postgres://USER:PASSWORD@HOST:PORT/DB (same as --database)',
  ],
  [
    'AUDIT_SECRETS_KEY_FILE',
    'PostgreSQL: the secrets key file every server instance is given (same as --secrets-key-file; default postgres.key in the data directory)',
  ],
  ['AUDIT_PAGER', 'pager for long tables on a terminal (then PAGER, else less -FRX); cat or empty: none'],
  [
    'AUDIT_TAIL_MAX_RECONNECTS',
    'failed reconnects in a row before audit tail gives up with exit 1 (default: none, until Ctrl-C)',
  ],
  [
    'AUDIT_TAIL_RETRY_MAX_MS',
    "longest wait between audit tail's reconnect attempts, in milliseconds (default 30000)",
  ],
  [
    'AUDIT_CHECKPOINT_INTERVAL_MS',
    'server: least time between two signed checkpoints of a log (default 60000)',
  ],
  [
    'AUDIT_SEAL_WORKER',
    'server: 0 computes the Merkle leaves of a backlog (events ingest did not seal) on the event loop instead of a worker thread (default: a worker)',
  ],
  [
    'AUDIT_VERIFY_WORKERS',
    'audit verify FILE: worker threads hashing an NDJSON file (default: one fewer than the cores, at least one; 0: none)',
  ],
  ['AUDIT_WEBHOOK_RETRY_BASE_MS', 'server: first webhook retry delay in milliseconds (default 30000)'],
  [
    'AUDIT_STREAM_RECHECK_MS',
    'server: how often live streams re-check their token and role, in milliseconds (default 2000; export streams: at most 1000)',
  ],
  ['AUDIT_WAL_CHECKPOINT_MB', 'server: WAL size in MiB after which a commit checkpoints (default 256)'],
  ['AUDIT_LOG_LEVEL', 'server: log level, error|warn|info|debug|trace (same as --log-level; default warn)'],
  [
    'AUDIT_LOG_FORMAT',
    'server: log lines on stderr, pretty|json (same as --log-format; default pretty on a terminal)',
  ],
  ['AUDIT_DEBUG', 'print the stack trace of an unexpected error (as --debug does)'],
  ['NO_COLOR', 'no colour (same as --no-color); FORCE_COLOR forces it on'],
  ['TZ', 'display time zone when neither --tz nor --utc is given'],
  ['COLUMNS', "width of the audit stats chart (else the terminal's; at least 40)"],
  ['XDG_CONFIG_HOME, XDG_DATA_HOME', 'base directories for profiles and data, as usual on Linux'],
];

export const EXIT_CODES: readonly (readonly [code: number, meaning: string])[] = [
  [EXIT.ok, 'success, "no results" included; also Ctrl-C ending audit tail, and a closed pipe'],
  [EXIT.failure, 'failure: server error, network gave up, port in use, backup or export failed'],
  [EXIT.usage, 'bad usage or input: unknown flag or command, bad date, malformed file'],
  [
    EXIT.tampered,
    'tampering found by audit verify: a changed, missing or reordered event, a rollback, a changed key; ' +
      'audit report security --fail-on: a finding at or above that severity',
  ],
  [EXIT.auth, 'not authenticated (no token, refused or revoked token) or not permitted (role)'],
  [EXIT.interrupted, 'interrupted by Ctrl-C (an export keeps NAME.partial and prints how to resume)'],
  [
    EXIT.terminated,
    'stopped by SIGTERM: backup run (as cron, systemd or Kubernetes stop it) removes its partial file',
  ],
];

function table(rows: readonly (readonly [string | number, string])[]): string {
  const width = Math.max(...rows.map(([key]) => String(key).length)) + 2;
  return rows.map(([key, meaning]) => `  ${String(key).padEnd(width)}${meaning}`).join('\n');
}

export const HELP_TOPICS: Record<string, { summary: string; text: () => string }> = {
  environment: {
    summary: 'the environment variables audit reads',
    text: () =>
      `Environment variables (precedence: flag > environment > profile > default):\n\n${table(ENVIRONMENT)}\n\n` +
      'Example:\n  $ AUDIT_PROFILE=prod AUDIT_TOKEN_FILE=/run/secrets/audit audit logs --since 1h\n',
  },
  'exit-codes': {
    summary: 'what each exit code means',
    text: () =>
      `Exit codes:\n\n${table(EXIT_CODES)}\n\n` +
      'Example:\n  $ audit backup run || echo "backup failed with exit $?" >&2\n',
  },
};
