#compdef audit
# zsh completion for audit
# Generated from the command tree by `npm run completions`; do not edit.
# Install: see `audit completion --help`.

# "name:description" of the subcommands at a path.
_audit_subcommands() {
  case "$1" in
    '') reply=('login:sign in to an audit-log server and save the token in a profile (file mode 0600)' 'logout:forget the profile'\''s token (server and organization are kept)' 'whoami:show the server, organization, user, role and token prefix in use' 'profile:list the saved profiles, choose the active one, remove one' 'logs:list audit events, newest first, with filters' 'search:free-text search, with actor:, action:, category:, ip:, target: qualifiers' 'tail:print the newest events, then follow new ones as they happen, until Ctrl-C' 'stats:count events by category, actor, ip, day, … as a terminal chart' 'export:export a range of events to csv, json, ndjson or a pdf report' 'report:reports computed from the log on the server: the security review' 'import:send an export or backup file back to the server (idempotent)' 'backup:daily backup files for cron: run one, schedule it in your crontab, check on it' 'gdpr:data-protection requests: export or erase one person'\''s personal data' 'verify:prove the server'\''s log, or export files offline, unchanged (exit 3 if not)' 'webhooks:real-time alerts: send matching events to a URL (JSON, Slack, Discord or Teams)' 'server:run and administer the bundled audit-log server (SQLite)' 'completion:print the shell completion script for bash, zsh or fish' 'help:display help for a command, or a topic: environment, exit-codes') ;;
    'profile') reply=('list:list the profiles: the active one marked *, server, organization, whether a token is stored' 'use:make a saved profile the active one for every later command' 'remove:delete a saved profile and its token from the config file') ;;
    'logs') reply=('show:show one event in full, changes as old → new') ;;
    'report') reply=('security:review the log for failed logins, escalations, suspicious tokens and more (exit 3 with --fail-on)') ;;
    'backup') reply=('run:back up one day (default: yesterday) to DIR/audit-logs-YYYY-MM-DD.<format>, for cron' 'schedule:install (or --print) the daily crontab line that runs audit backup run' 'unschedule:remove this profile'\''s backup line from your crontab (backups are kept)' 'status:show the scheduled line, its next run, and the last backup with its count and checksum') ;;
    'gdpr') reply=('export:one person'\''s data: every event in which they appear (subject-access request)' 'delete:erase one person'\''s personal data (pseudonymize; the events stay)') ;;
    'webhooks') reply=('add:subscribe a URL to events; the signing secret is generated and shown once, or read from stdin' 'list:list the webhooks (never their secrets)' 'remove:delete a webhook; its pending deliveries are not sent' 'test:send a sample event now and print the receiver'\''s status and timing' 'deliveries:recent deliveries of a webhook: status, attempts, last error') ;;
    'server') reply=('start:run the bundled audit-log server (SQLite, or PostgreSQL with --database) until Ctrl-C' 'user:manage the users of the bundled server' 'token:manage API tokens of the bundled server' 'org:organization settings of the bundled server' 'key:the server'\''s checkpoint signing key (Ed25519, beside the database)') ;;
    'server user') reply=('add:add a user to the organization, or change an existing user'\''s role and team') ;;
    'server token') reply=('create:create an API token for a user; prints only the token on stdout' 'list:list tokens by prefix (never the tokens themselves)' 'revoke:revoke a token by its prefix; it stops working at once') ;;
    'server org') reply=('set-plan:set the plan, and so how long events are kept' 'set-access-logging:record every API request as access.api_call, or stop (off by default)') ;;
    'server key') reply=('show:print the server'\''s checkpoint verifier key and its SHA256 fingerprint') ;;
    *) reply=() ;;
  esac
}

_audit_flags() {
  case "$1" in
    '') reply=('-V:output the version number' '--version:output the version number' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'login') reply=('--with-token:read the token from standard input instead of prompting' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'logout') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'whoami') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'profile') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'profile list') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'profile use') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'profile remove') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'logs') reply=('--limit:how many events to show' '--all:follow every page (ignores --limit)' '--wide:table: every column, the event id too, nothing cut or hidden (the terminal may wrap)' '--category:only these categories (repeat, or a comma list)' '--action:only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)' '--actor:actor id, email or name; "me" for your own events' '--target:target id or name' '--resource:target id or name, team name, or actor email' '--ip:IP address' '--team:team id' '--from:start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--since:events from this long ago: 30m, 24h, 7d, 2w' '-q:free-text search' '--search:free-text search' '--detailed:include detailed access events (page views, API calls)' '--columns:only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)' '--json:JSON with only these top-level fields, e.g. id,timestamp,action,actor' '--jq:filter the --json output with jq, e.g. '\''.[].actor.email'\''' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'logs show') reply=('--json:JSON with only these top-level fields, e.g. id,timestamp,action,actor' '--jq:filter the --json output with jq, e.g. '\''.[].actor.email'\''' '--limit:how many events to show' '--all:follow every page (ignores --limit)' '--wide:table: every column, the event id too, nothing cut or hidden (the terminal may wrap)' '--category:only these categories (repeat, or a comma list)' '--action:only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)' '--actor:actor id, email or name; "me" for your own events' '--target:target id or name' '--resource:target id or name, team name, or actor email' '--ip:IP address' '--team:team id' '--from:start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--since:events from this long ago: 30m, 24h, 7d, 2w' '-q:free-text search' '--search:free-text search' '--detailed:include detailed access events (page views, API calls)' '--columns:only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'search') reply=('--limit:how many events to show' '--all:follow every page (ignores --limit)' '--wide:table: every column, the event id too, nothing cut or hidden (the terminal may wrap)' '--category:only these categories (repeat, or a comma list)' '--action:only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)' '--actor:actor id, email or name; "me" for your own events' '--target:target id or name' '--resource:target id or name, team name, or actor email' '--ip:IP address' '--team:team id' '--from:start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--since:events from this long ago: 30m, 24h, 7d, 2w' '-q:free-text search' '--search:free-text search' '--detailed:include detailed access events (page views, API calls)' '--columns:only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)' '--json:JSON with only these top-level fields, e.g. id,timestamp,action,actor' '--jq:filter the --json output with jq, e.g. '\''.[].actor.email'\''' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'tail') reply=('-n:how many recent events to print first' '--lines:how many recent events to print first' '--wide:every column, the event id too, nothing cut or hidden (the terminal may wrap)' '--category:only these categories (repeat, or a comma list)' '--action:only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)' '--actor:actor id, email or name; "me" for your own events' '--target:target id or name' '--resource:target id or name, team name, or actor email' '--ip:IP address' '--team:team id' '--from:start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--since:events from this long ago: 30m, 24h, 7d, 2w' '-q:free-text search' '--search:free-text search' '--detailed:include detailed access events (page views, API calls)' '--columns:only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)' '--json:JSON with only these top-level fields, e.g. id,timestamp,action,actor' '--jq:filter the --json output with jq, e.g. '\''.[].actor.email'\''' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'stats') reply=('--by:group by one or two of these, comma-separated (at most one of day and hour; default: category)' '--top:keep the N largest groups and sum the rest as (other) (default: 10; not for day or hour alone)' '--category:only these categories (repeat, or a comma list)' '--action:only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)' '--actor:actor id, email or name; "me" for your own events' '--target:target id or name' '--resource:target id or name, team name, or actor email' '--ip:IP address' '--team:team id' '--from:start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--since:events from this long ago: 30m, 24h, 7d, 2w' '-q:free-text search' '--search:free-text search' '--detailed:include detailed access events (page views, API calls)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'export') reply=('--format:file format (default: from the -o name, else csv)' '--split:one file per day or month of the display time zone' '--gzip:compress with gzip (implied by an -o name ending in .gz)' '--cursor:resume an interrupted export from the cursor it printed' '--columns:CSV: only these columns, in this order, e.g. id,timestamp,actor_email,action,ip_address' '--proof:also write FILE.proof.json beside each file: proves offline (audit verify FILE) that it holds exactly the log'\''s events, unmodified' '--no-input:never prompt: without --from this is an error' '--category:only these categories (repeat, or a comma list)' '--action:only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)' '--actor:actor id, email or name; "me" for your own events' '--target:target id or name' '--resource:target id or name, team name, or actor email' '--ip:IP address' '--team:team id' '--from:start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--since:events from this long ago: 30m, 24h, 7d, 2w' '-q:free-text search' '--search:free-text search' '--detailed:include detailed access events (page views, API calls)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'report') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'report security') reply=('--since:review this long back: 24h, 7d, 30d (default 7d)' '--from:start: 2024-01-31 (start of that day), an ISO time' '--to:end, inclusive: 2024-01-31 (the whole day), an ISO time, now' '--fail-on:exit 3 when a finding is at or above this severity' '--format:a report instead of the terminal view: Markdown or PDF' '--file:write to FILE (mode 0600, replaced whole) instead of standard output' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'import') reply=('--dry-run:read and check the whole file and count its events; send nothing' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'backup') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'backup run') reply=('--dir:backup directory (default: <data dir>/backups)' '--date:the day to back up: YYYY-MM-DD, yesterday or today' '--format:file format' '--keep:remove backups dated more than this many days before the backed-up day' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'backup schedule') reply=('--at:time of day, local time' '--dir:backup directory (default: <data dir>/backups)' '--format:backup file format' '--keep:remove backups older than N days' '--print:print the crontab line, a systemd timer and a Kubernetes CronJob; install nothing' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'backup unschedule') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'backup status') reply=('--dir:backup directory (default: the scheduled line'\''s, else <data dir>/backups)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'gdpr') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'gdpr export') reply=('--user:the person, by email or id' '--also:another email, id or IP address you confirm is this person'\''s (repeatable); the dry run lists candidates' '--also-name:a name you confirm is this person'\''s (repeatable)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'gdpr delete') reply=('--user:the person, by email or id' '--also:another email, id or IP address you confirm is this person'\''s (repeatable); the dry run lists candidates' '--also-name:a name you confirm is this person'\''s (repeatable)' '--yes:do not ask for confirmation (needed without a terminal)' '--dry-run:show how many events would change, change nothing' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'verify') reply=('--full:also re-read every event and recompute every leaf and the root (10,000 per request)' '--save-checkpoint:append the verified checkpoint to DIR/<host>_<port>-<org>.checkpoints and check the log against its last one' '--trust-new-key:accept a server key other than the pinned one (after its operator rotated it) and pin it instead' '--key:FILE…: the server key to trust, the verifier key text or a file holding it (audit server key show)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'webhooks') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'webhooks add') reply=('--url:where to POST matching events (http or https)' '--action:actions, comma-separated; `security.*` matches a prefix' '--category:only these categories, comma-separated' '--format:message shape' '--secret-stdin:read the signing secret from standard input (at least 16 characters)' '--description:what the webhook is for' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'webhooks list') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'webhooks remove') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'webhooks test') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'webhooks deliveries') reply=('--status:only these' '--limit:how many' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server start') reply=('--host:address to listen on' '--port:port; 0 picks a free one' '--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--secrets-key-file:PostgreSQL: the key file every instance is given (env AUDIT_SECRETS_KEY_FILE; default: postgres.key in the data directory)' '--demo:fill an empty database with 90 days of realistic demo events' '--rate-limit:requests a minute per token (default 600)' '--webhook-allow-private:let webhooks reach loopback, private and link-local addresses (refused by default)' '--replace-lost-secrets-key:the database'\''s .key file is lost for good: make a new one (webhooks then need new secrets)' '--streams-per-token:live event streams (audit tail) one token may hold at once (default 10)' '--streams-per-ip:live event streams one client address may hold at once (default 50)' '--exports-per-token:export streams (audit export, backup run) one token may hold at once (default 2)' '--max-connections:open connections beyond which new ones are dropped (default 1000)' '--log-level:log records at this level and above (env AUDIT_LOG_LEVEL; default warn)' '--log-format:log lines on stderr (env AUDIT_LOG_FORMAT; default: pretty on a terminal, else json)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server user') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server user add') reply=('--email:the user'\''s email' '--name:display name (default: the part of the email before @)' '--role:organization role; with --team, admin means team admin' '--team:team name (created on first use)' '--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server token') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server token create') reply=('--user:the user the token acts as' '--scope:read: the user'\''s role decides; ingest: may only send events' '--name:what the token is for (shown in token list)' '--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server token list') reply=('--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server token revoke') reply=('--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server org') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server org set-plan') reply=('--retention-days:enterprise only: days to keep (1-730, default 730)' '--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server org set-access-logging') reply=('--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server key') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'server key show') reply=('--db:SQLite database file (env AUDIT_DB; default: audit.db in the data directory)' '--database:PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)' '--secrets-key-file:PostgreSQL: the key file every instance is given (env AUDIT_SECRETS_KEY_FILE; default: postgres.key in the data directory)' '--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'completion') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    'help') reply=('--profile:configuration profile (env AUDIT_PROFILE)' '--server:audit-log server URL (env AUDIT_SERVER)' '--org:organization (env AUDIT_ORG)' '-o:output format: table, json, ndjson or csv (export: the file to write)' '--output:output format: table, json, ndjson or csv (export: the file to write)' '--tz:display time zone, an IANA name such as Europe/Paris (default: the system'\''s)' '--utc:show and read times in UTC' '--no-color:no colour (also NO_COLOR)' '--debug:trace HTTP requests to stderr (the token masked); the stack of an unexpected error' '--insecure:allow plain http to a server not on this machine (env AUDIT_INSECURE=1)' '-h:display help for command' '--help:display help for command') ;;
    *) reply=('-h:display help for command' '--help:display help for command') ;;
  esac
}

# Fails for a switch; for a flag that takes a value, sets its words and file kind.
_audit_value() {
  reply=() _audit_files=''
  case "$1|$2" in
    'server user add|--email'|'server user add '*'|--email') reply=() ;;
    'server user add|--name'|'server user add '*'|--name') reply=() ;;
    'server user add|--role'|'server user add '*'|--role') reply=('owner' 'admin' 'member') ;;
    'server user add|--team'|'server user add '*'|--team') reply=() ;;
    'server user add|--db'|'server user add '*'|--db') reply=() _audit_files=file ;;
    'server user add|--database'|'server user add '*'|--database') reply=() ;;
    'server token create|--user'|'server token create '*'|--user') reply=() ;;
    'server token create|--scope'|'server token create '*'|--scope') reply=('read' 'ingest') ;;
    'server token create|--name'|'server token create '*'|--name') reply=() ;;
    'server token create|--db'|'server token create '*'|--db') reply=() _audit_files=file ;;
    'server token create|--database'|'server token create '*'|--database') reply=() ;;
    'server token list|--db'|'server token list '*'|--db') reply=() _audit_files=file ;;
    'server token list|--database'|'server token list '*'|--database') reply=() ;;
    'server token revoke|--db'|'server token revoke '*'|--db') reply=() _audit_files=file ;;
    'server token revoke|--database'|'server token revoke '*'|--database') reply=() ;;
    'server org set-plan|--retention-days'|'server org set-plan '*'|--retention-days') reply=() ;;
    'server org set-plan|--db'|'server org set-plan '*'|--db') reply=() _audit_files=file ;;
    'server org set-plan|--database'|'server org set-plan '*'|--database') reply=() ;;
    'server org set-access-logging|--db'|'server org set-access-logging '*'|--db') reply=() _audit_files=file ;;
    'server org set-access-logging|--database'|'server org set-access-logging '*'|--database') reply=() ;;
    'server key show|--db'|'server key show '*'|--db') reply=() _audit_files=file ;;
    'server key show|--database'|'server key show '*'|--database') reply=() ;;
    'server key show|--secrets-key-file'|'server key show '*'|--secrets-key-file') reply=() _audit_files=file ;;
    'logs show|--json'|'logs show '*'|--json') reply=() ;;
    'logs show|--jq'|'logs show '*'|--jq') reply=() ;;
    'report security|--since'|'report security '*'|--since') reply=() ;;
    'report security|--from'|'report security '*'|--from') reply=() ;;
    'report security|--to'|'report security '*'|--to') reply=() ;;
    'report security|--fail-on'|'report security '*'|--fail-on') reply=('high' 'medium' 'low') ;;
    'report security|--format'|'report security '*'|--format') reply=('md' 'pdf') ;;
    'report security|--file'|'report security '*'|--file') reply=() _audit_files=file ;;
    'backup run|--dir'|'backup run '*'|--dir') reply=() _audit_files=dir ;;
    'backup run|--date'|'backup run '*'|--date') reply=() ;;
    'backup run|--format'|'backup run '*'|--format') reply=('json' 'csv' 'ndjson') ;;
    'backup run|--keep'|'backup run '*'|--keep') reply=() ;;
    'backup schedule|--at'|'backup schedule '*'|--at') reply=() ;;
    'backup schedule|--dir'|'backup schedule '*'|--dir') reply=() _audit_files=dir ;;
    'backup schedule|--format'|'backup schedule '*'|--format') reply=('json' 'csv' 'ndjson') ;;
    'backup schedule|--keep'|'backup schedule '*'|--keep') reply=() ;;
    'backup schedule|--print'|'backup schedule '*'|--print') return 1 ;;
    'backup status|--dir'|'backup status '*'|--dir') reply=() _audit_files=dir ;;
    'gdpr export|--user'|'gdpr export '*'|--user') reply=() ;;
    'gdpr export|--also'|'gdpr export '*'|--also') reply=() ;;
    'gdpr export|--also-name'|'gdpr export '*'|--also-name') reply=() ;;
    'gdpr delete|--user'|'gdpr delete '*'|--user') reply=() ;;
    'gdpr delete|--also'|'gdpr delete '*'|--also') reply=() ;;
    'gdpr delete|--also-name'|'gdpr delete '*'|--also-name') reply=() ;;
    'gdpr delete|--yes'|'gdpr delete '*'|--yes') return 1 ;;
    'gdpr delete|--dry-run'|'gdpr delete '*'|--dry-run') return 1 ;;
    'webhooks add|--url'|'webhooks add '*'|--url') reply=() ;;
    'webhooks add|--action'|'webhooks add '*'|--action') reply=() ;;
    'webhooks add|--category'|'webhooks add '*'|--category') reply=('auth' 'security' 'profile' 'team' 'review' 'tunnel' 'billing' 'settings' 'access' 'gdpr' 'audit') ;;
    'webhooks add|--format'|'webhooks add '*'|--format') reply=('json' 'slack' 'discord' 'teams') ;;
    'webhooks add|--secret-stdin'|'webhooks add '*'|--secret-stdin') return 1 ;;
    'webhooks add|--description'|'webhooks add '*'|--description') reply=() ;;
    'webhooks deliveries|--status'|'webhooks deliveries '*'|--status') reply=('pending' 'delivered' 'failed') ;;
    'webhooks deliveries|--limit'|'webhooks deliveries '*'|--limit') reply=() ;;
    'server start|--host'|'server start '*'|--host') reply=() ;;
    'server start|--port'|'server start '*'|--port') reply=() ;;
    'server start|--db'|'server start '*'|--db') reply=() _audit_files=file ;;
    'server start|--database'|'server start '*'|--database') reply=() ;;
    'server start|--secrets-key-file'|'server start '*'|--secrets-key-file') reply=() _audit_files=file ;;
    'server start|--demo'|'server start '*'|--demo') return 1 ;;
    'server start|--rate-limit'|'server start '*'|--rate-limit') reply=() ;;
    'server start|--webhook-allow-private'|'server start '*'|--webhook-allow-private') return 1 ;;
    'server start|--replace-lost-secrets-key'|'server start '*'|--replace-lost-secrets-key') return 1 ;;
    'server start|--streams-per-token'|'server start '*'|--streams-per-token') reply=() ;;
    'server start|--streams-per-ip'|'server start '*'|--streams-per-ip') reply=() ;;
    'server start|--exports-per-token'|'server start '*'|--exports-per-token') reply=() ;;
    'server start|--max-connections'|'server start '*'|--max-connections') reply=() ;;
    'server start|--log-level'|'server start '*'|--log-level') reply=('error' 'warn' 'info' 'debug' 'trace') ;;
    'server start|--log-format'|'server start '*'|--log-format') reply=('pretty' 'json') ;;
    'login|--with-token'|'login '*'|--with-token') return 1 ;;
    'logs|--limit'|'logs '*'|--limit') reply=() ;;
    'logs|--all'|'logs '*'|--all') return 1 ;;
    'logs|--wide'|'logs '*'|--wide') return 1 ;;
    'logs|--category'|'logs '*'|--category') reply=('auth' 'security' 'profile' 'team' 'review' 'tunnel' 'billing' 'settings' 'access' 'gdpr' 'audit') ;;
    'logs|--action'|'logs '*'|--action') reply=() ;;
    'logs|--actor'|'logs '*'|--actor') reply=() ;;
    'logs|--target'|'logs '*'|--target') reply=() ;;
    'logs|--resource'|'logs '*'|--resource') reply=() ;;
    'logs|--ip'|'logs '*'|--ip') reply=() ;;
    'logs|--team'|'logs '*'|--team') reply=() ;;
    'logs|--from'|'logs '*'|--from') reply=() ;;
    'logs|--to'|'logs '*'|--to') reply=() ;;
    'logs|--since'|'logs '*'|--since') reply=() ;;
    'logs|-q'|'logs '*'|-q'|'logs|--search'|'logs '*'|--search') reply=() ;;
    'logs|--detailed'|'logs '*'|--detailed') return 1 ;;
    'logs|--columns'|'logs '*'|--columns') reply=() ;;
    'logs|--json'|'logs '*'|--json') reply=() ;;
    'logs|--jq'|'logs '*'|--jq') reply=() ;;
    'search|--limit'|'search '*'|--limit') reply=() ;;
    'search|--all'|'search '*'|--all') return 1 ;;
    'search|--wide'|'search '*'|--wide') return 1 ;;
    'search|--category'|'search '*'|--category') reply=('auth' 'security' 'profile' 'team' 'review' 'tunnel' 'billing' 'settings' 'access' 'gdpr' 'audit') ;;
    'search|--action'|'search '*'|--action') reply=() ;;
    'search|--actor'|'search '*'|--actor') reply=() ;;
    'search|--target'|'search '*'|--target') reply=() ;;
    'search|--resource'|'search '*'|--resource') reply=() ;;
    'search|--ip'|'search '*'|--ip') reply=() ;;
    'search|--team'|'search '*'|--team') reply=() ;;
    'search|--from'|'search '*'|--from') reply=() ;;
    'search|--to'|'search '*'|--to') reply=() ;;
    'search|--since'|'search '*'|--since') reply=() ;;
    'search|-q'|'search '*'|-q'|'search|--search'|'search '*'|--search') reply=() ;;
    'search|--detailed'|'search '*'|--detailed') return 1 ;;
    'search|--columns'|'search '*'|--columns') reply=() ;;
    'search|--json'|'search '*'|--json') reply=() ;;
    'search|--jq'|'search '*'|--jq') reply=() ;;
    'tail|-n'|'tail '*'|-n'|'tail|--lines'|'tail '*'|--lines') reply=() ;;
    'tail|--wide'|'tail '*'|--wide') return 1 ;;
    'tail|--category'|'tail '*'|--category') reply=('auth' 'security' 'profile' 'team' 'review' 'tunnel' 'billing' 'settings' 'access' 'gdpr' 'audit') ;;
    'tail|--action'|'tail '*'|--action') reply=() ;;
    'tail|--actor'|'tail '*'|--actor') reply=() ;;
    'tail|--target'|'tail '*'|--target') reply=() ;;
    'tail|--resource'|'tail '*'|--resource') reply=() ;;
    'tail|--ip'|'tail '*'|--ip') reply=() ;;
    'tail|--team'|'tail '*'|--team') reply=() ;;
    'tail|--from'|'tail '*'|--from') reply=() ;;
    'tail|--to'|'tail '*'|--to') reply=() ;;
    'tail|--since'|'tail '*'|--since') reply=() ;;
    'tail|-q'|'tail '*'|-q'|'tail|--search'|'tail '*'|--search') reply=() ;;
    'tail|--detailed'|'tail '*'|--detailed') return 1 ;;
    'tail|--columns'|'tail '*'|--columns') reply=() ;;
    'tail|--json'|'tail '*'|--json') reply=() ;;
    'tail|--jq'|'tail '*'|--jq') reply=() ;;
    'stats|--by'|'stats '*'|--by') reply=('category' 'action' 'actor' 'ip' 'team' 'target' 'day' 'hour') ;;
    'stats|--top'|'stats '*'|--top') reply=() ;;
    'stats|--category'|'stats '*'|--category') reply=('auth' 'security' 'profile' 'team' 'review' 'tunnel' 'billing' 'settings' 'access' 'gdpr' 'audit') ;;
    'stats|--action'|'stats '*'|--action') reply=() ;;
    'stats|--actor'|'stats '*'|--actor') reply=() ;;
    'stats|--target'|'stats '*'|--target') reply=() ;;
    'stats|--resource'|'stats '*'|--resource') reply=() ;;
    'stats|--ip'|'stats '*'|--ip') reply=() ;;
    'stats|--team'|'stats '*'|--team') reply=() ;;
    'stats|--from'|'stats '*'|--from') reply=() ;;
    'stats|--to'|'stats '*'|--to') reply=() ;;
    'stats|--since'|'stats '*'|--since') reply=() ;;
    'stats|-q'|'stats '*'|-q'|'stats|--search'|'stats '*'|--search') reply=() ;;
    'stats|--detailed'|'stats '*'|--detailed') return 1 ;;
    'export|--format'|'export '*'|--format') reply=('csv' 'json' 'ndjson' 'pdf') ;;
    'export|--split'|'export '*'|--split') reply=('day' 'month') ;;
    'export|--gzip'|'export '*'|--gzip') return 1 ;;
    'export|--cursor'|'export '*'|--cursor') reply=() ;;
    'export|--columns'|'export '*'|--columns') reply=() ;;
    'export|--proof'|'export '*'|--proof') return 1 ;;
    'export|--no-input'|'export '*'|--no-input') return 1 ;;
    'export|--category'|'export '*'|--category') reply=('auth' 'security' 'profile' 'team' 'review' 'tunnel' 'billing' 'settings' 'access' 'gdpr' 'audit') ;;
    'export|--action'|'export '*'|--action') reply=() ;;
    'export|--actor'|'export '*'|--actor') reply=() ;;
    'export|--target'|'export '*'|--target') reply=() ;;
    'export|--resource'|'export '*'|--resource') reply=() ;;
    'export|--ip'|'export '*'|--ip') reply=() ;;
    'export|--team'|'export '*'|--team') reply=() ;;
    'export|--from'|'export '*'|--from') reply=() ;;
    'export|--to'|'export '*'|--to') reply=() ;;
    'export|--since'|'export '*'|--since') reply=() ;;
    'export|-q'|'export '*'|-q'|'export|--search'|'export '*'|--search') reply=() ;;
    'export|--detailed'|'export '*'|--detailed') return 1 ;;
    'import|--dry-run'|'import '*'|--dry-run') return 1 ;;
    'verify|--full'|'verify '*'|--full') return 1 ;;
    'verify|--save-checkpoint'|'verify '*'|--save-checkpoint') reply=() _audit_files=dir ;;
    'verify|--trust-new-key'|'verify '*'|--trust-new-key') return 1 ;;
    'verify|--key'|'verify '*'|--key') reply=() ;;
    *'|-V'|*'|--version') return 1 ;;
    *'|--profile') _audit_profiles ;;
    *'|--server') reply=() ;;
    *'|--org') reply=() ;;
    *'|-o'|*'|--output') reply=('table' 'json' 'ndjson' 'csv') _audit_files=file ;;
    *'|--tz') reply=() ;;
    *'|--utc') return 1 ;;
    *'|--no-color') return 1 ;;
    *'|--debug') return 1 ;;
    *'|--insecure') return 1 ;;
    *'|-h'|*'|--help') return 1 ;;
    *) return 1 ;;
  esac
}

_audit_arg() {
  reply=() _audit_files=''
  case "$1|$2" in
    'profile use|0') _audit_profiles ;;
    'profile remove|0') _audit_profiles ;;
    'import|0') reply=() _audit_files=file ;;
    'verify|0') reply=() _audit_files=file ;;
    'server org set-plan|0') reply=('free' 'paid' 'fleet' 'enterprise' 'unlimited') ;;
    'server org set-access-logging|0') reply=('on' 'off') ;;
    'completion|0') reply=('bash' 'zsh' 'fish') ;;
    'help|0') reply=('login' 'logout' 'whoami' 'profile' 'logs' 'search' 'tail' 'stats' 'export' 'report' 'import' 'backup' 'gdpr' 'verify' 'webhooks' 'server' 'completion' 'environment' 'exit-codes') ;;
  esac
}

# The saved profiles' names, asked of the audit being completed (names a shell takes as they are).
_audit_profiles() {
  reply=(${(f)"$("${words[1]}" profile list -o name 2>/dev/null)"})
}

_audit_offer() {
  (( ${#reply} )) && compadd -- "${reply[@]}"
  case "$_audit_files" in
    file) _files ;;
    dir) _files -/ ;;
  esac
  return 0
}

_audit() {
  local cmdpath='' word flag='' entry _audit_files=''
  local -a reply names
  integer i skip=0 nargs=0
  for (( i = 2; i < CURRENT; i++ )); do
    word="${words[i]}"
    if (( skip )); then skip=0; continue; fi
    case "$word" in
      --) return 0 ;;
      -*=*) ;;
      -*) _audit_value "$cmdpath" "$word" && skip=1 ;;
      *)
        _audit_subcommands "$cmdpath"
        names=("${reply[@]%%:*}")
        if (( ${names[(Ie)$word]} )); then
          cmdpath="${cmdpath:+$cmdpath }$word"
          nargs=0
        else
          nargs+=1
        fi
        ;;
    esac
  done

  if [[ "$PREFIX" == --*=* ]]; then
    flag="${PREFIX%%=*}"
    compset -P '*='
  elif (( CURRENT > 2 )) && [[ "${words[CURRENT - 1]}" == -* ]]; then
    flag="${words[CURRENT - 1]}"
  fi
  if [[ -n "$flag" ]] && _audit_value "$cmdpath" "$flag"; then
    _audit_offer
    return 0
  fi
  if [[ "$PREFIX" == -* ]]; then
    _audit_flags "$cmdpath"
    _describe -t options 'option' reply
    return 0
  fi
  _audit_subcommands "$cmdpath"
  (( ${#reply} )) && _describe -t commands 'command' reply
  _audit_arg "$cmdpath" "$nargs"
  _audit_offer
}

# Sourced (or eval'd) rather than autoloaded from fpath: register the function.
if [[ "${funcstack[1]}" == _audit ]]; then
  _audit "$@"
else
  compdef _audit audit
fi
