# bash completion for audit
# Generated from the command tree by `npm run completions`; do not edit.
# Install: see `audit completion --help`. Works in plain bash, without the bash-completion package.

_audit_subcommands() {
  case "$1" in
    '') _audit_reply='login logout whoami profile logs search tail stats export report import backup gdpr verify webhooks server completion help' ;;
    'profile') _audit_reply='list use remove' ;;
    'logs') _audit_reply='show' ;;
    'report') _audit_reply='security' ;;
    'backup') _audit_reply='run schedule unschedule status' ;;
    'gdpr') _audit_reply='export delete' ;;
    'webhooks') _audit_reply='add list remove test deliveries' ;;
    'server') _audit_reply='start user token org key' ;;
    'server user') _audit_reply='add' ;;
    'server token') _audit_reply='create list revoke' ;;
    'server org') _audit_reply='set-plan set-access-logging' ;;
    'server key') _audit_reply='show' ;;
    *) _audit_reply='' ;;
  esac
}

_audit_flags() {
  case "$1" in
    '') _audit_reply='-V --version --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'login') _audit_reply='--with-token --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'logout') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'whoami') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'profile') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'profile list') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'profile use') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'profile remove') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'logs') _audit_reply='--limit --all --wide --category --action --actor --target --resource --ip --team --from --to --since -q --search --detailed --columns --json --jq --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'logs show') _audit_reply='--json --jq --limit --all --wide --category --action --actor --target --resource --ip --team --from --to --since -q --search --detailed --columns --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'search') _audit_reply='--limit --all --wide --category --action --actor --target --resource --ip --team --from --to --since -q --search --detailed --columns --json --jq --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'tail') _audit_reply='-n --lines --wide --category --action --actor --target --resource --ip --team --from --to --since -q --search --detailed --columns --json --jq --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'stats') _audit_reply='--by --top --category --action --actor --target --resource --ip --team --from --to --since -q --search --detailed --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'export') _audit_reply='--format --split --gzip --cursor --columns --proof --no-input --category --action --actor --target --resource --ip --team --from --to --since -q --search --detailed --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'report') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'report security') _audit_reply='--since --from --to --fail-on --format --file --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'import') _audit_reply='--dry-run --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'backup') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'backup run') _audit_reply='--dir --date --format --keep --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'backup schedule') _audit_reply='--at --dir --format --keep --print --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'backup unschedule') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'backup status') _audit_reply='--dir --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'gdpr') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'gdpr export') _audit_reply='--user --also --also-name --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'gdpr delete') _audit_reply='--user --also --also-name --yes --dry-run --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'verify') _audit_reply='--full --save-checkpoint --trust-new-key --key --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'webhooks') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'webhooks add') _audit_reply='--url --action --category --format --secret-stdin --description --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'webhooks list') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'webhooks remove') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'webhooks test') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'webhooks deliveries') _audit_reply='--status --limit --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server start') _audit_reply='--host --port --db --database --secrets-key-file --demo --rate-limit --webhook-allow-private --replace-lost-secrets-key --streams-per-token --streams-per-ip --exports-per-token --max-connections --log-level --log-format --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server user') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server user add') _audit_reply='--email --name --role --team --db --database --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server token') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server token create') _audit_reply='--user --scope --name --db --database --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server token list') _audit_reply='--db --database --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server token revoke') _audit_reply='--db --database --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server org') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server org set-plan') _audit_reply='--retention-days --db --database --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server org set-access-logging') _audit_reply='--db --database --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server key') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'server key show') _audit_reply='--db --database --secrets-key-file --profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'completion') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    'help') _audit_reply='--profile --server --org -o --output --tz --utc --no-color --debug --insecure -h --help' ;;
    *) _audit_reply='-h --help' ;;
  esac
}

# Fails for a switch; for a flag that takes a value, sets its words and file kind.
_audit_value() {
  _audit_reply='' _audit_files=''
  case "$1|$2" in
    'server user add|--email'|'server user add '*'|--email') _audit_reply='' ;;
    'server user add|--name'|'server user add '*'|--name') _audit_reply='' ;;
    'server user add|--role'|'server user add '*'|--role') _audit_reply='owner admin member' ;;
    'server user add|--team'|'server user add '*'|--team') _audit_reply='' ;;
    'server user add|--db'|'server user add '*'|--db') _audit_reply='' _audit_files=file ;;
    'server user add|--database'|'server user add '*'|--database') _audit_reply='' ;;
    'server token create|--user'|'server token create '*'|--user') _audit_reply='' ;;
    'server token create|--scope'|'server token create '*'|--scope') _audit_reply='read ingest' ;;
    'server token create|--name'|'server token create '*'|--name') _audit_reply='' ;;
    'server token create|--db'|'server token create '*'|--db') _audit_reply='' _audit_files=file ;;
    'server token create|--database'|'server token create '*'|--database') _audit_reply='' ;;
    'server token list|--db'|'server token list '*'|--db') _audit_reply='' _audit_files=file ;;
    'server token list|--database'|'server token list '*'|--database') _audit_reply='' ;;
    'server token revoke|--db'|'server token revoke '*'|--db') _audit_reply='' _audit_files=file ;;
    'server token revoke|--database'|'server token revoke '*'|--database') _audit_reply='' ;;
    'server org set-plan|--retention-days'|'server org set-plan '*'|--retention-days') _audit_reply='' ;;
    'server org set-plan|--db'|'server org set-plan '*'|--db') _audit_reply='' _audit_files=file ;;
    'server org set-plan|--database'|'server org set-plan '*'|--database') _audit_reply='' ;;
    'server org set-access-logging|--db'|'server org set-access-logging '*'|--db') _audit_reply='' _audit_files=file ;;
    'server org set-access-logging|--database'|'server org set-access-logging '*'|--database') _audit_reply='' ;;
    'server key show|--db'|'server key show '*'|--db') _audit_reply='' _audit_files=file ;;
    'server key show|--database'|'server key show '*'|--database') _audit_reply='' ;;
    'server key show|--secrets-key-file'|'server key show '*'|--secrets-key-file') _audit_reply='' _audit_files=file ;;
    'logs show|--json'|'logs show '*'|--json') _audit_reply='' ;;
    'logs show|--jq'|'logs show '*'|--jq') _audit_reply='' ;;
    'report security|--since'|'report security '*'|--since') _audit_reply='' ;;
    'report security|--from'|'report security '*'|--from') _audit_reply='' ;;
    'report security|--to'|'report security '*'|--to') _audit_reply='' ;;
    'report security|--fail-on'|'report security '*'|--fail-on') _audit_reply='high medium low' ;;
    'report security|--format'|'report security '*'|--format') _audit_reply='md pdf' ;;
    'report security|--file'|'report security '*'|--file') _audit_reply='' _audit_files=file ;;
    'backup run|--dir'|'backup run '*'|--dir') _audit_reply='' _audit_files=dir ;;
    'backup run|--date'|'backup run '*'|--date') _audit_reply='' ;;
    'backup run|--format'|'backup run '*'|--format') _audit_reply='json csv ndjson' ;;
    'backup run|--keep'|'backup run '*'|--keep') _audit_reply='' ;;
    'backup schedule|--at'|'backup schedule '*'|--at') _audit_reply='' ;;
    'backup schedule|--dir'|'backup schedule '*'|--dir') _audit_reply='' _audit_files=dir ;;
    'backup schedule|--format'|'backup schedule '*'|--format') _audit_reply='json csv ndjson' ;;
    'backup schedule|--keep'|'backup schedule '*'|--keep') _audit_reply='' ;;
    'backup schedule|--print'|'backup schedule '*'|--print') return 1 ;;
    'backup status|--dir'|'backup status '*'|--dir') _audit_reply='' _audit_files=dir ;;
    'gdpr export|--user'|'gdpr export '*'|--user') _audit_reply='' ;;
    'gdpr export|--also'|'gdpr export '*'|--also') _audit_reply='' ;;
    'gdpr export|--also-name'|'gdpr export '*'|--also-name') _audit_reply='' ;;
    'gdpr delete|--user'|'gdpr delete '*'|--user') _audit_reply='' ;;
    'gdpr delete|--also'|'gdpr delete '*'|--also') _audit_reply='' ;;
    'gdpr delete|--also-name'|'gdpr delete '*'|--also-name') _audit_reply='' ;;
    'gdpr delete|--yes'|'gdpr delete '*'|--yes') return 1 ;;
    'gdpr delete|--dry-run'|'gdpr delete '*'|--dry-run') return 1 ;;
    'webhooks add|--url'|'webhooks add '*'|--url') _audit_reply='' ;;
    'webhooks add|--action'|'webhooks add '*'|--action') _audit_reply='' ;;
    'webhooks add|--category'|'webhooks add '*'|--category') _audit_reply='auth security profile team review tunnel billing settings access gdpr audit' ;;
    'webhooks add|--format'|'webhooks add '*'|--format') _audit_reply='json slack discord teams' ;;
    'webhooks add|--secret-stdin'|'webhooks add '*'|--secret-stdin') return 1 ;;
    'webhooks add|--description'|'webhooks add '*'|--description') _audit_reply='' ;;
    'webhooks deliveries|--status'|'webhooks deliveries '*'|--status') _audit_reply='pending delivered failed' ;;
    'webhooks deliveries|--limit'|'webhooks deliveries '*'|--limit') _audit_reply='' ;;
    'server start|--host'|'server start '*'|--host') _audit_reply='' ;;
    'server start|--port'|'server start '*'|--port') _audit_reply='' ;;
    'server start|--db'|'server start '*'|--db') _audit_reply='' _audit_files=file ;;
    'server start|--database'|'server start '*'|--database') _audit_reply='' ;;
    'server start|--secrets-key-file'|'server start '*'|--secrets-key-file') _audit_reply='' _audit_files=file ;;
    'server start|--demo'|'server start '*'|--demo') return 1 ;;
    'server start|--rate-limit'|'server start '*'|--rate-limit') _audit_reply='' ;;
    'server start|--webhook-allow-private'|'server start '*'|--webhook-allow-private') return 1 ;;
    'server start|--replace-lost-secrets-key'|'server start '*'|--replace-lost-secrets-key') return 1 ;;
    'server start|--streams-per-token'|'server start '*'|--streams-per-token') _audit_reply='' ;;
    'server start|--streams-per-ip'|'server start '*'|--streams-per-ip') _audit_reply='' ;;
    'server start|--exports-per-token'|'server start '*'|--exports-per-token') _audit_reply='' ;;
    'server start|--max-connections'|'server start '*'|--max-connections') _audit_reply='' ;;
    'server start|--log-level'|'server start '*'|--log-level') _audit_reply='error warn info debug trace' ;;
    'server start|--log-format'|'server start '*'|--log-format') _audit_reply='pretty json' ;;
    'login|--with-token'|'login '*'|--with-token') return 1 ;;
    'logs|--limit'|'logs '*'|--limit') _audit_reply='' ;;
    'logs|--all'|'logs '*'|--all') return 1 ;;
    'logs|--wide'|'logs '*'|--wide') return 1 ;;
    'logs|--category'|'logs '*'|--category') _audit_reply='auth security profile team review tunnel billing settings access gdpr audit' ;;
    'logs|--action'|'logs '*'|--action') _audit_reply='' ;;
    'logs|--actor'|'logs '*'|--actor') _audit_reply='' ;;
    'logs|--target'|'logs '*'|--target') _audit_reply='' ;;
    'logs|--resource'|'logs '*'|--resource') _audit_reply='' ;;
    'logs|--ip'|'logs '*'|--ip') _audit_reply='' ;;
    'logs|--team'|'logs '*'|--team') _audit_reply='' ;;
    'logs|--from'|'logs '*'|--from') _audit_reply='' ;;
    'logs|--to'|'logs '*'|--to') _audit_reply='' ;;
    'logs|--since'|'logs '*'|--since') _audit_reply='' ;;
    'logs|-q'|'logs '*'|-q'|'logs|--search'|'logs '*'|--search') _audit_reply='' ;;
    'logs|--detailed'|'logs '*'|--detailed') return 1 ;;
    'logs|--columns'|'logs '*'|--columns') _audit_reply='' ;;
    'logs|--json'|'logs '*'|--json') _audit_reply='' ;;
    'logs|--jq'|'logs '*'|--jq') _audit_reply='' ;;
    'search|--limit'|'search '*'|--limit') _audit_reply='' ;;
    'search|--all'|'search '*'|--all') return 1 ;;
    'search|--wide'|'search '*'|--wide') return 1 ;;
    'search|--category'|'search '*'|--category') _audit_reply='auth security profile team review tunnel billing settings access gdpr audit' ;;
    'search|--action'|'search '*'|--action') _audit_reply='' ;;
    'search|--actor'|'search '*'|--actor') _audit_reply='' ;;
    'search|--target'|'search '*'|--target') _audit_reply='' ;;
    'search|--resource'|'search '*'|--resource') _audit_reply='' ;;
    'search|--ip'|'search '*'|--ip') _audit_reply='' ;;
    'search|--team'|'search '*'|--team') _audit_reply='' ;;
    'search|--from'|'search '*'|--from') _audit_reply='' ;;
    'search|--to'|'search '*'|--to') _audit_reply='' ;;
    'search|--since'|'search '*'|--since') _audit_reply='' ;;
    'search|-q'|'search '*'|-q'|'search|--search'|'search '*'|--search') _audit_reply='' ;;
    'search|--detailed'|'search '*'|--detailed') return 1 ;;
    'search|--columns'|'search '*'|--columns') _audit_reply='' ;;
    'search|--json'|'search '*'|--json') _audit_reply='' ;;
    'search|--jq'|'search '*'|--jq') _audit_reply='' ;;
    'tail|-n'|'tail '*'|-n'|'tail|--lines'|'tail '*'|--lines') _audit_reply='' ;;
    'tail|--wide'|'tail '*'|--wide') return 1 ;;
    'tail|--category'|'tail '*'|--category') _audit_reply='auth security profile team review tunnel billing settings access gdpr audit' ;;
    'tail|--action'|'tail '*'|--action') _audit_reply='' ;;
    'tail|--actor'|'tail '*'|--actor') _audit_reply='' ;;
    'tail|--target'|'tail '*'|--target') _audit_reply='' ;;
    'tail|--resource'|'tail '*'|--resource') _audit_reply='' ;;
    'tail|--ip'|'tail '*'|--ip') _audit_reply='' ;;
    'tail|--team'|'tail '*'|--team') _audit_reply='' ;;
    'tail|--from'|'tail '*'|--from') _audit_reply='' ;;
    'tail|--to'|'tail '*'|--to') _audit_reply='' ;;
    'tail|--since'|'tail '*'|--since') _audit_reply='' ;;
    'tail|-q'|'tail '*'|-q'|'tail|--search'|'tail '*'|--search') _audit_reply='' ;;
    'tail|--detailed'|'tail '*'|--detailed') return 1 ;;
    'tail|--columns'|'tail '*'|--columns') _audit_reply='' ;;
    'tail|--json'|'tail '*'|--json') _audit_reply='' ;;
    'tail|--jq'|'tail '*'|--jq') _audit_reply='' ;;
    'stats|--by'|'stats '*'|--by') _audit_reply='category action actor ip team target day hour' ;;
    'stats|--top'|'stats '*'|--top') _audit_reply='' ;;
    'stats|--category'|'stats '*'|--category') _audit_reply='auth security profile team review tunnel billing settings access gdpr audit' ;;
    'stats|--action'|'stats '*'|--action') _audit_reply='' ;;
    'stats|--actor'|'stats '*'|--actor') _audit_reply='' ;;
    'stats|--target'|'stats '*'|--target') _audit_reply='' ;;
    'stats|--resource'|'stats '*'|--resource') _audit_reply='' ;;
    'stats|--ip'|'stats '*'|--ip') _audit_reply='' ;;
    'stats|--team'|'stats '*'|--team') _audit_reply='' ;;
    'stats|--from'|'stats '*'|--from') _audit_reply='' ;;
    'stats|--to'|'stats '*'|--to') _audit_reply='' ;;
    'stats|--since'|'stats '*'|--since') _audit_reply='' ;;
    'stats|-q'|'stats '*'|-q'|'stats|--search'|'stats '*'|--search') _audit_reply='' ;;
    'stats|--detailed'|'stats '*'|--detailed') return 1 ;;
    'export|--format'|'export '*'|--format') _audit_reply='csv json ndjson pdf' ;;
    'export|--split'|'export '*'|--split') _audit_reply='day month' ;;
    'export|--gzip'|'export '*'|--gzip') return 1 ;;
    'export|--cursor'|'export '*'|--cursor') _audit_reply='' ;;
    'export|--columns'|'export '*'|--columns') _audit_reply='' ;;
    'export|--proof'|'export '*'|--proof') return 1 ;;
    'export|--no-input'|'export '*'|--no-input') return 1 ;;
    'export|--category'|'export '*'|--category') _audit_reply='auth security profile team review tunnel billing settings access gdpr audit' ;;
    'export|--action'|'export '*'|--action') _audit_reply='' ;;
    'export|--actor'|'export '*'|--actor') _audit_reply='' ;;
    'export|--target'|'export '*'|--target') _audit_reply='' ;;
    'export|--resource'|'export '*'|--resource') _audit_reply='' ;;
    'export|--ip'|'export '*'|--ip') _audit_reply='' ;;
    'export|--team'|'export '*'|--team') _audit_reply='' ;;
    'export|--from'|'export '*'|--from') _audit_reply='' ;;
    'export|--to'|'export '*'|--to') _audit_reply='' ;;
    'export|--since'|'export '*'|--since') _audit_reply='' ;;
    'export|-q'|'export '*'|-q'|'export|--search'|'export '*'|--search') _audit_reply='' ;;
    'export|--detailed'|'export '*'|--detailed') return 1 ;;
    'import|--dry-run'|'import '*'|--dry-run') return 1 ;;
    'verify|--full'|'verify '*'|--full') return 1 ;;
    'verify|--save-checkpoint'|'verify '*'|--save-checkpoint') _audit_reply='' _audit_files=dir ;;
    'verify|--trust-new-key'|'verify '*'|--trust-new-key') return 1 ;;
    'verify|--key'|'verify '*'|--key') _audit_reply='' ;;
    *'|-V'|*'|--version') return 1 ;;
    *'|--profile') _audit_reply="$(_audit_profiles)" ;;
    *'|--server') _audit_reply='' ;;
    *'|--org') _audit_reply='' ;;
    *'|-o'|*'|--output') _audit_reply='table json ndjson csv' _audit_files=file ;;
    *'|--tz') _audit_reply='' ;;
    *'|--utc') return 1 ;;
    *'|--no-color') return 1 ;;
    *'|--debug') return 1 ;;
    *'|--insecure') return 1 ;;
    *'|-h'|*'|--help') return 1 ;;
    *) return 1 ;;
  esac
}

_audit_arg() {
  _audit_reply='' _audit_files=''
  case "$1|$2" in
    'profile use|0') _audit_reply="$(_audit_profiles)" ;;
    'profile remove|0') _audit_reply="$(_audit_profiles)" ;;
    'import|0') _audit_reply='' _audit_files=file ;;
    'verify|0') _audit_reply='' _audit_files=file ;;
    'server org set-plan|0') _audit_reply='free paid fleet enterprise unlimited' ;;
    'server org set-access-logging|0') _audit_reply='on off' ;;
    'completion|0') _audit_reply='bash zsh fish' ;;
    'help|0') _audit_reply='login logout whoami profile logs search tail stats export report import backup gdpr verify webhooks server completion environment exit-codes' ;;
  esac
}

# The saved profiles' names, asked of the audit being completed (names a shell takes as they are).
_audit_profiles() {
  "${COMP_WORDS[0]}" profile list -o name 2>/dev/null
}

# Completes $1 from _audit_reply and _audit_files; $2 goes in front of each word.
_audit_offer() {
  local line
  while IFS= read -r line; do
    [ -n "$line" ] && COMPREPLY+=("$2$line")
  done < <(compgen -W "$_audit_reply" -- "$1")
  if [ -n "$_audit_files" ]; then
    compopt -o filenames 2>/dev/null
    while IFS= read -r line; do
      [ -n "$line" ] && COMPREPLY+=("$2$line")
    done < <(if [ "$_audit_files" = dir ]; then compgen -d -- "$1"; else compgen -f -- "$1"; fi)
  fi
}

_audit() {
  COMPREPLY=()
  local cur="${COMP_WORDS[COMP_CWORD]}" prev='' cmdpath='' word flag='' prefix='' i skip=0 nargs=0
  local _audit_reply _audit_files
  ((COMP_CWORD > 0)) && prev="${COMP_WORDS[COMP_CWORD - 1]}"
  for ((i = 1; i < COMP_CWORD; i++)); do
    word="${COMP_WORDS[i]}"
    # "--flag=value" arrives as three words when '=' is in COMP_WORDBREAKS.
    if [ "$word" = '=' ]; then skip=1; continue; fi
    if ((skip)); then skip=0; continue; fi
    case "$word" in
      --) return 0 ;;
      -*=*) ;;
      -*) _audit_value "$cmdpath" "$word" && skip=1 ;;
      *)
        _audit_subcommands "$cmdpath"
        if [[ " $_audit_reply " == *" $word "* ]]; then
          cmdpath="${cmdpath:+$cmdpath }$word"
          nargs=0
        else
          nargs=$((nargs + 1))
        fi
        ;;
    esac
  done

  if [ "$cur" = '=' ]; then
    flag="$prev" cur=''
  elif [ "$prev" = '=' ] && ((COMP_CWORD >= 2)); then
    flag="${COMP_WORDS[COMP_CWORD - 2]}"
  elif [[ "$cur" == --*=* ]]; then
    flag="${cur%%=*}" prefix="${cur%%=*}=" cur="${cur#*=}"
  elif [[ "$prev" == -* ]]; then
    flag="$prev"
  fi
  if [ -n "$flag" ] && _audit_value "$cmdpath" "$flag"; then
    _audit_offer "$cur" "$prefix"
    return 0
  fi
  if [[ "$cur" == -* ]]; then
    _audit_flags "$cmdpath"
    _audit_files=''
    _audit_offer "$cur" ''
    return 0
  fi
  _audit_arg "$cmdpath" "$nargs"
  local arg_words="$_audit_reply"
  _audit_subcommands "$cmdpath"
  _audit_reply="$_audit_reply $arg_words"
  _audit_offer "$cur" ''
  return 0
}

complete -F _audit audit
