# fish completion for audit
# Generated from the command tree by `npm run completions`; do not edit.
# Install: see `audit completion --help`.

function __audit_subcommands
    switch "$argv[1]"
        case ''
            printf '%s\n' 'login' 'logout' 'whoami' 'profile' 'logs' 'search' 'tail' 'stats' 'export' 'report' 'import' 'backup' 'gdpr' 'verify' 'webhooks' 'server' 'completion' 'help'
        case 'profile'
            printf '%s\n' 'list' 'use' 'remove'
        case 'logs'
            printf '%s\n' 'show'
        case 'report'
            printf '%s\n' 'security'
        case 'backup'
            printf '%s\n' 'run' 'schedule' 'unschedule' 'status'
        case 'gdpr'
            printf '%s\n' 'export' 'delete'
        case 'webhooks'
            printf '%s\n' 'add' 'list' 'remove' 'test' 'deliveries'
        case 'server'
            printf '%s\n' 'start' 'user' 'token' 'org' 'key'
        case 'server user'
            printf '%s\n' 'add'
        case 'server token'
            printf '%s\n' 'create' 'list' 'revoke'
        case 'server org'
            printf '%s\n' 'set-plan' 'set-access-logging'
        case 'server key'
            printf '%s\n' 'show'
    end
end

# Whether a flag takes a value at a command path ("PATH|FLAG").
function __audit_takes_value
    if string match -q -- 'server user add|--email' 'server user add *|--email' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server user add|--name' 'server user add *|--name' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server user add|--role' 'server user add *|--role' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server user add|--team' 'server user add *|--team' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server user add|--db' 'server user add *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server user add|--database' 'server user add *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token create|--user' 'server token create *|--user' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token create|--scope' 'server token create *|--scope' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token create|--name' 'server token create *|--name' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token create|--db' 'server token create *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token create|--database' 'server token create *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token list|--db' 'server token list *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token list|--database' 'server token list *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token revoke|--db' 'server token revoke *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server token revoke|--database' 'server token revoke *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server org set-plan|--retention-days' 'server org set-plan *|--retention-days' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server org set-plan|--db' 'server org set-plan *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server org set-plan|--database' 'server org set-plan *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server org set-access-logging|--db' 'server org set-access-logging *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server org set-access-logging|--database' 'server org set-access-logging *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server key show|--db' 'server key show *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server key show|--database' 'server key show *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server key show|--secrets-key-file' 'server key show *|--secrets-key-file' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs show|--json' 'logs show *|--json' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs show|--jq' 'logs show *|--jq' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'report security|--since' 'report security *|--since' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'report security|--from' 'report security *|--from' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'report security|--to' 'report security *|--to' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'report security|--fail-on' 'report security *|--fail-on' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'report security|--format' 'report security *|--format' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'report security|--file' 'report security *|--file' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup run|--dir' 'backup run *|--dir' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup run|--date' 'backup run *|--date' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup run|--format' 'backup run *|--format' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup run|--keep' 'backup run *|--keep' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup schedule|--at' 'backup schedule *|--at' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup schedule|--dir' 'backup schedule *|--dir' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup schedule|--format' 'backup schedule *|--format' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup schedule|--keep' 'backup schedule *|--keep' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'backup schedule|--print' 'backup schedule *|--print' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'backup status|--dir' 'backup status *|--dir' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr export|--user' 'gdpr export *|--user' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr export|--also' 'gdpr export *|--also' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr export|--also-name' 'gdpr export *|--also-name' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr delete|--user' 'gdpr delete *|--user' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr delete|--also' 'gdpr delete *|--also' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr delete|--also-name' 'gdpr delete *|--also-name' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'gdpr delete|--yes' 'gdpr delete *|--yes' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'gdpr delete|--dry-run' 'gdpr delete *|--dry-run' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'webhooks add|--url' 'webhooks add *|--url' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'webhooks add|--action' 'webhooks add *|--action' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'webhooks add|--category' 'webhooks add *|--category' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'webhooks add|--format' 'webhooks add *|--format' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'webhooks add|--secret-stdin' 'webhooks add *|--secret-stdin' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'webhooks add|--description' 'webhooks add *|--description' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'webhooks deliveries|--status' 'webhooks deliveries *|--status' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'webhooks deliveries|--limit' 'webhooks deliveries *|--limit' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--host' 'server start *|--host' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--port' 'server start *|--port' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--db' 'server start *|--db' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--database' 'server start *|--database' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--secrets-key-file' 'server start *|--secrets-key-file' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--demo' 'server start *|--demo' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'server start|--rate-limit' 'server start *|--rate-limit' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--webhook-allow-private' 'server start *|--webhook-allow-private' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'server start|--replace-lost-secrets-key' 'server start *|--replace-lost-secrets-key' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'server start|--streams-per-token' 'server start *|--streams-per-token' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--streams-per-ip' 'server start *|--streams-per-ip' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--exports-per-token' 'server start *|--exports-per-token' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--max-connections' 'server start *|--max-connections' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--log-level' 'server start *|--log-level' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'server start|--log-format' 'server start *|--log-format' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'login|--with-token' 'login *|--with-token' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'logs|--limit' 'logs *|--limit' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--all' 'logs *|--all' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'logs|--wide' 'logs *|--wide' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'logs|--category' 'logs *|--category' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--action' 'logs *|--action' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--actor' 'logs *|--actor' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--target' 'logs *|--target' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--resource' 'logs *|--resource' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--ip' 'logs *|--ip' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--team' 'logs *|--team' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--from' 'logs *|--from' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--to' 'logs *|--to' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--since' 'logs *|--since' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|-q' 'logs *|-q' 'logs|--search' 'logs *|--search' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--detailed' 'logs *|--detailed' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'logs|--columns' 'logs *|--columns' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--json' 'logs *|--json' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'logs|--jq' 'logs *|--jq' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--limit' 'search *|--limit' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--all' 'search *|--all' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'search|--wide' 'search *|--wide' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'search|--category' 'search *|--category' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--action' 'search *|--action' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--actor' 'search *|--actor' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--target' 'search *|--target' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--resource' 'search *|--resource' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--ip' 'search *|--ip' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--team' 'search *|--team' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--from' 'search *|--from' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--to' 'search *|--to' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--since' 'search *|--since' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|-q' 'search *|-q' 'search|--search' 'search *|--search' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--detailed' 'search *|--detailed' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'search|--columns' 'search *|--columns' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--json' 'search *|--json' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'search|--jq' 'search *|--jq' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|-n' 'tail *|-n' 'tail|--lines' 'tail *|--lines' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--wide' 'tail *|--wide' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'tail|--category' 'tail *|--category' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--action' 'tail *|--action' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--actor' 'tail *|--actor' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--target' 'tail *|--target' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--resource' 'tail *|--resource' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--ip' 'tail *|--ip' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--team' 'tail *|--team' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--from' 'tail *|--from' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--to' 'tail *|--to' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--since' 'tail *|--since' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|-q' 'tail *|-q' 'tail|--search' 'tail *|--search' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--detailed' 'tail *|--detailed' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'tail|--columns' 'tail *|--columns' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--json' 'tail *|--json' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'tail|--jq' 'tail *|--jq' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--by' 'stats *|--by' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--top' 'stats *|--top' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--category' 'stats *|--category' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--action' 'stats *|--action' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--actor' 'stats *|--actor' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--target' 'stats *|--target' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--resource' 'stats *|--resource' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--ip' 'stats *|--ip' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--team' 'stats *|--team' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--from' 'stats *|--from' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--to' 'stats *|--to' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--since' 'stats *|--since' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|-q' 'stats *|-q' 'stats|--search' 'stats *|--search' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'stats|--detailed' 'stats *|--detailed' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'export|--format' 'export *|--format' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--split' 'export *|--split' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--gzip' 'export *|--gzip' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'export|--cursor' 'export *|--cursor' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--columns' 'export *|--columns' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--proof' 'export *|--proof' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'export|--no-input' 'export *|--no-input' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'export|--category' 'export *|--category' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--action' 'export *|--action' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--actor' 'export *|--actor' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--target' 'export *|--target' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--resource' 'export *|--resource' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--ip' 'export *|--ip' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--team' 'export *|--team' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--from' 'export *|--from' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--to' 'export *|--to' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--since' 'export *|--since' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|-q' 'export *|-q' 'export|--search' 'export *|--search' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'export|--detailed' 'export *|--detailed' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'import|--dry-run' 'import *|--dry-run' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'verify|--full' 'verify *|--full' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'verify|--save-checkpoint' 'verify *|--save-checkpoint' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- 'verify|--trust-new-key' 'verify *|--trust-new-key' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- 'verify|--key' 'verify *|--key' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- '*|-V' '*|--version' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- '*|--profile' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- '*|--server' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- '*|--org' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- '*|-o' '*|--output' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- '*|--tz' "$argv[1]|$argv[2]"
        return 0
    end
    if string match -q -- '*|--utc' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- '*|--no-color' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- '*|--debug' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- '*|--insecure' "$argv[1]|$argv[2]"
        return 1
    end
    if string match -q -- '*|-h' '*|--help' "$argv[1]|$argv[2]"
        return 1
    end
    return 1
end

# Prints the command path, then how many positional arguments follow it.
function __audit_state
    set -l tokens (commandline -opc)
    set -e tokens[1]
    set -l cmdpath ''
    set -l nargs 0
    set -l skip 0
    for word in $tokens
        if test $skip = 1
            set skip 0
            continue
        end
        switch $word
            case '--'
                break
            case '-*=*'
            case '-*'
                __audit_takes_value "$cmdpath" $word; and set skip 1
            case '*'
                if contains -- $word (__audit_subcommands "$cmdpath")
                    set cmdpath (string trim -- "$cmdpath $word")
                    set nargs 0
                else
                    set nargs (math $nargs + 1)
                end
        end
    end
    printf '%s\n' "$cmdpath" $nargs
end

# The saved profiles' names, asked of the audit being completed (names a shell takes as they are).
function __audit_profiles
    set -l tokens (commandline -opc)
    command $tokens[1] profile list -o name 2>/dev/null
end

function __audit_at
    set -l state (__audit_state)
    test "$state[1]" = "$argv[1]"
end

function __audit_in
    set -l state (__audit_state)
    test "$state[1]" = "$argv[1]"; or string match -q -- "$argv[1] *" "$state[1]"
end

function __audit_arg
    set -l state (__audit_state)
    test "$state[1]" = "$argv[1]" -a "$state[2]" = "$argv[2]"
end

complete -c audit -f
complete -c audit -n '__audit_at \'\'' -a 'login' -d 'sign in to an audit-log server and save the token in a profile (file mode 0600)'
complete -c audit -n '__audit_at \'\'' -a 'logout' -d 'forget the profile\'s token (server and organization are kept)'
complete -c audit -n '__audit_at \'\'' -a 'whoami' -d 'show the server, organization, user, role and token prefix in use'
complete -c audit -n '__audit_at \'\'' -a 'profile' -d 'list the saved profiles, choose the active one, remove one'
complete -c audit -n '__audit_at \'\'' -a 'logs' -d 'list audit events, newest first, with filters'
complete -c audit -n '__audit_at \'\'' -a 'search' -d 'free-text search, with actor:, action:, category:, ip:, target: qualifiers'
complete -c audit -n '__audit_at \'\'' -a 'tail' -d 'print the newest events, then follow new ones as they happen, until Ctrl-C'
complete -c audit -n '__audit_at \'\'' -a 'stats' -d 'count events by category, actor, ip, day, … as a terminal chart'
complete -c audit -n '__audit_at \'\'' -a 'export' -d 'export a range of events to csv, json, ndjson or a pdf report'
complete -c audit -n '__audit_at \'\'' -a 'report' -d 'reports computed from the log on the server: the security review'
complete -c audit -n '__audit_at \'\'' -a 'import' -d 'send an export or backup file back to the server (idempotent)'
complete -c audit -n '__audit_at \'\'' -a 'backup' -d 'daily backup files for cron: run one, schedule it in your crontab, check on it'
complete -c audit -n '__audit_at \'\'' -a 'gdpr' -d 'data-protection requests: export or erase one person\'s personal data'
complete -c audit -n '__audit_at \'\'' -a 'verify' -d 'prove the server\'s log, or export files offline, unchanged (exit 3 if not)'
complete -c audit -n '__audit_at \'\'' -a 'webhooks' -d 'real-time alerts: send matching events to a URL (JSON, Slack, Discord or Teams)'
complete -c audit -n '__audit_at \'\'' -a 'server' -d 'run and administer the bundled audit-log server (SQLite)'
complete -c audit -n '__audit_at \'\'' -a 'completion' -d 'print the shell completion script for bash, zsh or fish'
complete -c audit -n '__audit_at \'\'' -a 'help' -d 'display help for a command, or a topic: environment, exit-codes'
complete -c audit -n '__audit_at \'profile\'' -a 'list' -d 'list the profiles: the active one marked *, server, organization, whether a token is stored'
complete -c audit -n '__audit_at \'profile\'' -a 'use' -d 'make a saved profile the active one for every later command'
complete -c audit -n '__audit_at \'profile\'' -a 'remove' -d 'delete a saved profile and its token from the config file'
complete -c audit -n '__audit_arg \'profile use\' 0' -f -a '(__audit_profiles)'
complete -c audit -n '__audit_arg \'profile remove\' 0' -f -a '(__audit_profiles)'
complete -c audit -n '__audit_at \'logs\'' -a 'show' -d 'show one event in full, changes as old → new'
complete -c audit -n '__audit_at \'report\'' -a 'security' -d 'review the log for failed logins, escalations, suspicious tokens and more (exit 3 with --fail-on)'
complete -c audit -n '__audit_arg \'import\' 0' -F
complete -c audit -n '__audit_at \'backup\'' -a 'run' -d 'back up one day (default: yesterday) to DIR/audit-logs-YYYY-MM-DD.<format>, for cron'
complete -c audit -n '__audit_at \'backup\'' -a 'schedule' -d 'install (or --print) the daily crontab line that runs audit backup run'
complete -c audit -n '__audit_at \'backup\'' -a 'unschedule' -d 'remove this profile\'s backup line from your crontab (backups are kept)'
complete -c audit -n '__audit_at \'backup\'' -a 'status' -d 'show the scheduled line, its next run, and the last backup with its count and checksum'
complete -c audit -n '__audit_at \'gdpr\'' -a 'export' -d 'one person\'s data: every event in which they appear (subject-access request)'
complete -c audit -n '__audit_at \'gdpr\'' -a 'delete' -d 'erase one person\'s personal data (pseudonymize; the events stay)'
complete -c audit -n '__audit_arg \'verify\' 0' -F
complete -c audit -n '__audit_at \'webhooks\'' -a 'add' -d 'subscribe a URL to events; the signing secret is generated and shown once, or read from stdin'
complete -c audit -n '__audit_at \'webhooks\'' -a 'list' -d 'list the webhooks (never their secrets)'
complete -c audit -n '__audit_at \'webhooks\'' -a 'remove' -d 'delete a webhook; its pending deliveries are not sent'
complete -c audit -n '__audit_at \'webhooks\'' -a 'test' -d 'send a sample event now and print the receiver\'s status and timing'
complete -c audit -n '__audit_at \'webhooks\'' -a 'deliveries' -d 'recent deliveries of a webhook: status, attempts, last error'
complete -c audit -n '__audit_at \'server\'' -a 'start' -d 'run the bundled audit-log server (SQLite, or PostgreSQL with --database) until Ctrl-C'
complete -c audit -n '__audit_at \'server\'' -a 'user' -d 'manage the users of the bundled server'
complete -c audit -n '__audit_at \'server\'' -a 'token' -d 'manage API tokens of the bundled server'
complete -c audit -n '__audit_at \'server\'' -a 'org' -d 'organization settings of the bundled server'
complete -c audit -n '__audit_at \'server\'' -a 'key' -d 'the server\'s checkpoint signing key (Ed25519, beside the database)'
complete -c audit -n '__audit_at \'server user\'' -a 'add' -d 'add a user to the organization, or change an existing user\'s role and team'
complete -c audit -n '__audit_at \'server token\'' -a 'create' -d 'create an API token for a user; prints only the token on stdout'
complete -c audit -n '__audit_at \'server token\'' -a 'list' -d 'list tokens by prefix (never the tokens themselves)'
complete -c audit -n '__audit_at \'server token\'' -a 'revoke' -d 'revoke a token by its prefix; it stops working at once'
complete -c audit -n '__audit_at \'server org\'' -a 'set-plan' -d 'set the plan, and so how long events are kept'
complete -c audit -n '__audit_at \'server org\'' -a 'set-access-logging' -d 'record every API request as access.api_call, or stop (off by default)'
complete -c audit -n '__audit_arg \'server org set-plan\' 0' -a 'free paid fleet enterprise unlimited'
complete -c audit -n '__audit_arg \'server org set-access-logging\' 0' -a 'on off'
complete -c audit -n '__audit_at \'server key\'' -a 'show' -d 'print the server\'s checkpoint verifier key and its SHA256 fingerprint'
complete -c audit -n '__audit_arg \'completion\' 0' -a 'bash zsh fish'
complete -c audit -n '__audit_arg \'help\' 0' -a 'login logout whoami profile logs search tail stats export report import backup gdpr verify webhooks server completion environment exit-codes'
complete -c audit -n '__audit_in \'server user add\'' -l 'email' -r -f -d 'the user\'s email'
complete -c audit -n '__audit_in \'server user add\'' -l 'name' -r -f -d 'display name (default: the part of the email before @)'
complete -c audit -n '__audit_in \'server user add\'' -l 'role' -r -f -a 'owner admin member' -d 'organization role; with --team, admin means team admin'
complete -c audit -n '__audit_in \'server user add\'' -l 'team' -r -f -d 'team name (created on first use)'
complete -c audit -n '__audit_in \'server user add\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server user add\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server token create\'' -l 'user' -r -f -d 'the user the token acts as'
complete -c audit -n '__audit_in \'server token create\'' -l 'scope' -r -f -a 'read ingest' -d 'read: the user\'s role decides; ingest: may only send events'
complete -c audit -n '__audit_in \'server token create\'' -l 'name' -r -f -d 'what the token is for (shown in token list)'
complete -c audit -n '__audit_in \'server token create\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server token create\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server token list\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server token list\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server token revoke\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server token revoke\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server org set-plan\'' -l 'retention-days' -r -f -d 'enterprise only: days to keep (1-730, default 730)'
complete -c audit -n '__audit_in \'server org set-plan\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server org set-plan\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server org set-access-logging\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server org set-access-logging\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server key show\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server key show\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server key show\'' -l 'secrets-key-file' -r -F -d 'PostgreSQL: the key file every instance is given (env AUDIT_SECRETS_KEY_FILE; default: postgres.key in the data directory)'
complete -c audit -n '__audit_in \'logs show\'' -l 'json' -r -f -d 'JSON with only these top-level fields, e.g. id,timestamp,action,actor'
complete -c audit -n '__audit_in \'logs show\'' -l 'jq' -r -f -d 'filter the --json output with jq, e.g. \'.[].actor.email\''
complete -c audit -n '__audit_in \'report security\'' -l 'since' -r -f -d 'review this long back: 24h, 7d, 30d (default 7d)'
complete -c audit -n '__audit_in \'report security\'' -l 'from' -r -f -d 'start: 2024-01-31 (start of that day), an ISO time'
complete -c audit -n '__audit_in \'report security\'' -l 'to' -r -f -d 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'
complete -c audit -n '__audit_in \'report security\'' -l 'fail-on' -r -f -a 'high medium low' -d 'exit 3 when a finding is at or above this severity'
complete -c audit -n '__audit_in \'report security\'' -l 'format' -r -f -a 'md pdf' -d 'a report instead of the terminal view: Markdown or PDF'
complete -c audit -n '__audit_in \'report security\'' -l 'file' -r -F -d 'write to FILE (mode 0600, replaced whole) instead of standard output'
complete -c audit -n '__audit_in \'backup run\'' -l 'dir' -r -f -a '(__fish_complete_directories)' -d 'backup directory (default: <data dir>/backups)'
complete -c audit -n '__audit_in \'backup run\'' -l 'date' -r -f -d 'the day to back up: YYYY-MM-DD, yesterday or today'
complete -c audit -n '__audit_in \'backup run\'' -l 'format' -r -f -a 'json csv ndjson' -d 'file format'
complete -c audit -n '__audit_in \'backup run\'' -l 'keep' -r -f -d 'remove backups dated more than this many days before the backed-up day'
complete -c audit -n '__audit_in \'backup schedule\'' -l 'at' -r -f -d 'time of day, local time'
complete -c audit -n '__audit_in \'backup schedule\'' -l 'dir' -r -f -a '(__fish_complete_directories)' -d 'backup directory (default: <data dir>/backups)'
complete -c audit -n '__audit_in \'backup schedule\'' -l 'format' -r -f -a 'json csv ndjson' -d 'backup file format'
complete -c audit -n '__audit_in \'backup schedule\'' -l 'keep' -r -f -d 'remove backups older than N days'
complete -c audit -n '__audit_in \'backup schedule\'' -l 'print' -d 'print the crontab line, a systemd timer and a Kubernetes CronJob; install nothing'
complete -c audit -n '__audit_in \'backup status\'' -l 'dir' -r -f -a '(__fish_complete_directories)' -d 'backup directory (default: the scheduled line\'s, else <data dir>/backups)'
complete -c audit -n '__audit_in \'gdpr export\'' -l 'user' -r -f -d 'the person, by email or id'
complete -c audit -n '__audit_in \'gdpr export\'' -l 'also' -r -f -d 'another email, id or IP address you confirm is this person\'s (repeatable); the dry run lists candidates'
complete -c audit -n '__audit_in \'gdpr export\'' -l 'also-name' -r -f -d 'a name you confirm is this person\'s (repeatable)'
complete -c audit -n '__audit_in \'gdpr delete\'' -l 'user' -r -f -d 'the person, by email or id'
complete -c audit -n '__audit_in \'gdpr delete\'' -l 'also' -r -f -d 'another email, id or IP address you confirm is this person\'s (repeatable); the dry run lists candidates'
complete -c audit -n '__audit_in \'gdpr delete\'' -l 'also-name' -r -f -d 'a name you confirm is this person\'s (repeatable)'
complete -c audit -n '__audit_in \'gdpr delete\'' -l 'yes' -d 'do not ask for confirmation (needed without a terminal)'
complete -c audit -n '__audit_in \'gdpr delete\'' -l 'dry-run' -d 'show how many events would change, change nothing'
complete -c audit -n '__audit_in \'webhooks add\'' -l 'url' -r -f -d 'where to POST matching events (http or https)'
complete -c audit -n '__audit_in \'webhooks add\'' -l 'action' -r -f -d 'actions, comma-separated; `security.*` matches a prefix'
complete -c audit -n '__audit_in \'webhooks add\'' -l 'category' -r -f -a 'auth security profile team review tunnel billing settings access gdpr audit' -d 'only these categories, comma-separated'
complete -c audit -n '__audit_in \'webhooks add\'' -l 'format' -r -f -a 'json slack discord teams' -d 'message shape'
complete -c audit -n '__audit_in \'webhooks add\'' -l 'secret-stdin' -d 'read the signing secret from standard input (at least 16 characters)'
complete -c audit -n '__audit_in \'webhooks add\'' -l 'description' -r -f -d 'what the webhook is for'
complete -c audit -n '__audit_in \'webhooks deliveries\'' -l 'status' -r -f -a 'pending delivered failed' -d 'only these'
complete -c audit -n '__audit_in \'webhooks deliveries\'' -l 'limit' -r -f -d 'how many'
complete -c audit -n '__audit_in \'server start\'' -l 'host' -r -f -d 'address to listen on'
complete -c audit -n '__audit_in \'server start\'' -l 'port' -r -f -d 'port; 0 picks a free one'
complete -c audit -n '__audit_in \'server start\'' -l 'db' -r -F -d 'SQLite database file (env AUDIT_DB; default: audit.db in the data directory)'
complete -c audit -n '__audit_in \'server start\'' -l 'database' -r -f -d 'PostgreSQL database shared by several servers, postgres://USER@HOST:PORT/DB (env AUDIT_DATABASE_URL)'
complete -c audit -n '__audit_in \'server start\'' -l 'secrets-key-file' -r -F -d 'PostgreSQL: the key file every instance is given (env AUDIT_SECRETS_KEY_FILE; default: postgres.key in the data directory)'
complete -c audit -n '__audit_in \'server start\'' -l 'demo' -d 'fill an empty database with 90 days of realistic demo events'
complete -c audit -n '__audit_in \'server start\'' -l 'rate-limit' -r -f -d 'requests a minute per token (default 600)'
complete -c audit -n '__audit_in \'server start\'' -l 'webhook-allow-private' -d 'let webhooks reach loopback, private and link-local addresses (refused by default)'
complete -c audit -n '__audit_in \'server start\'' -l 'replace-lost-secrets-key' -d 'the database\'s .key file is lost for good: make a new one (webhooks then need new secrets)'
complete -c audit -n '__audit_in \'server start\'' -l 'streams-per-token' -r -f -d 'live event streams (audit tail) one token may hold at once (default 10)'
complete -c audit -n '__audit_in \'server start\'' -l 'streams-per-ip' -r -f -d 'live event streams one client address may hold at once (default 50)'
complete -c audit -n '__audit_in \'server start\'' -l 'exports-per-token' -r -f -d 'export streams (audit export, backup run) one token may hold at once (default 2)'
complete -c audit -n '__audit_in \'server start\'' -l 'max-connections' -r -f -d 'open connections beyond which new ones are dropped (default 1000)'
complete -c audit -n '__audit_in \'server start\'' -l 'log-level' -r -f -a 'error warn info debug trace' -d 'log records at this level and above (env AUDIT_LOG_LEVEL; default warn)'
complete -c audit -n '__audit_in \'server start\'' -l 'log-format' -r -f -a 'pretty json' -d 'log lines on stderr (env AUDIT_LOG_FORMAT; default: pretty on a terminal, else json)'
complete -c audit -n '__audit_in \'login\'' -l 'with-token' -d 'read the token from standard input instead of prompting'
complete -c audit -n '__audit_in \'logs\'' -l 'limit' -r -f -d 'how many events to show'
complete -c audit -n '__audit_in \'logs\'' -l 'all' -d 'follow every page (ignores --limit)'
complete -c audit -n '__audit_in \'logs\'' -l 'wide' -d 'table: every column, the event id too, nothing cut or hidden (the terminal may wrap)'
complete -c audit -n '__audit_in \'logs\'' -l 'category' -r -f -a 'auth security profile team review tunnel billing settings access gdpr audit' -d 'only these categories (repeat, or a comma list)'
complete -c audit -n '__audit_in \'logs\'' -l 'action' -r -f -d 'only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)'
complete -c audit -n '__audit_in \'logs\'' -l 'actor' -r -f -d 'actor id, email or name; "me" for your own events'
complete -c audit -n '__audit_in \'logs\'' -l 'target' -r -f -d 'target id or name'
complete -c audit -n '__audit_in \'logs\'' -l 'resource' -r -f -d 'target id or name, team name, or actor email'
complete -c audit -n '__audit_in \'logs\'' -l 'ip' -r -f -d 'IP address'
complete -c audit -n '__audit_in \'logs\'' -l 'team' -r -f -d 'team id'
complete -c audit -n '__audit_in \'logs\'' -l 'from' -r -f -d 'start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today'
complete -c audit -n '__audit_in \'logs\'' -l 'to' -r -f -d 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'
complete -c audit -n '__audit_in \'logs\'' -l 'since' -r -f -d 'events from this long ago: 30m, 24h, 7d, 2w'
complete -c audit -n '__audit_in \'logs\'' -s 'q' -l 'search' -r -f -d 'free-text search'
complete -c audit -n '__audit_in \'logs\'' -l 'detailed' -d 'include detailed access events (page views, API calls)'
complete -c audit -n '__audit_in \'logs\'' -l 'columns' -r -f -d 'only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)'
complete -c audit -n '__audit_in \'logs\'' -l 'json' -r -f -d 'JSON with only these top-level fields, e.g. id,timestamp,action,actor'
complete -c audit -n '__audit_in \'logs\'' -l 'jq' -r -f -d 'filter the --json output with jq, e.g. \'.[].actor.email\''
complete -c audit -n '__audit_in \'search\'' -l 'limit' -r -f -d 'how many events to show'
complete -c audit -n '__audit_in \'search\'' -l 'all' -d 'follow every page (ignores --limit)'
complete -c audit -n '__audit_in \'search\'' -l 'wide' -d 'table: every column, the event id too, nothing cut or hidden (the terminal may wrap)'
complete -c audit -n '__audit_in \'search\'' -l 'category' -r -f -a 'auth security profile team review tunnel billing settings access gdpr audit' -d 'only these categories (repeat, or a comma list)'
complete -c audit -n '__audit_in \'search\'' -l 'action' -r -f -d 'only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)'
complete -c audit -n '__audit_in \'search\'' -l 'actor' -r -f -d 'actor id, email or name; "me" for your own events'
complete -c audit -n '__audit_in \'search\'' -l 'target' -r -f -d 'target id or name'
complete -c audit -n '__audit_in \'search\'' -l 'resource' -r -f -d 'target id or name, team name, or actor email'
complete -c audit -n '__audit_in \'search\'' -l 'ip' -r -f -d 'IP address'
complete -c audit -n '__audit_in \'search\'' -l 'team' -r -f -d 'team id'
complete -c audit -n '__audit_in \'search\'' -l 'from' -r -f -d 'start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today'
complete -c audit -n '__audit_in \'search\'' -l 'to' -r -f -d 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'
complete -c audit -n '__audit_in \'search\'' -l 'since' -r -f -d 'events from this long ago: 30m, 24h, 7d, 2w'
complete -c audit -n '__audit_in \'search\'' -s 'q' -l 'search' -r -f -d 'free-text search'
complete -c audit -n '__audit_in \'search\'' -l 'detailed' -d 'include detailed access events (page views, API calls)'
complete -c audit -n '__audit_in \'search\'' -l 'columns' -r -f -d 'only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)'
complete -c audit -n '__audit_in \'search\'' -l 'json' -r -f -d 'JSON with only these top-level fields, e.g. id,timestamp,action,actor'
complete -c audit -n '__audit_in \'search\'' -l 'jq' -r -f -d 'filter the --json output with jq, e.g. \'.[].actor.email\''
complete -c audit -n '__audit_in \'tail\'' -s 'n' -l 'lines' -r -f -d 'how many recent events to print first'
complete -c audit -n '__audit_in \'tail\'' -l 'wide' -d 'every column, the event id too, nothing cut or hidden (the terminal may wrap)'
complete -c audit -n '__audit_in \'tail\'' -l 'category' -r -f -a 'auth security profile team review tunnel billing settings access gdpr audit' -d 'only these categories (repeat, or a comma list)'
complete -c audit -n '__audit_in \'tail\'' -l 'action' -r -f -d 'only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)'
complete -c audit -n '__audit_in \'tail\'' -l 'actor' -r -f -d 'actor id, email or name; "me" for your own events'
complete -c audit -n '__audit_in \'tail\'' -l 'target' -r -f -d 'target id or name'
complete -c audit -n '__audit_in \'tail\'' -l 'resource' -r -f -d 'target id or name, team name, or actor email'
complete -c audit -n '__audit_in \'tail\'' -l 'ip' -r -f -d 'IP address'
complete -c audit -n '__audit_in \'tail\'' -l 'team' -r -f -d 'team id'
complete -c audit -n '__audit_in \'tail\'' -l 'from' -r -f -d 'start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today'
complete -c audit -n '__audit_in \'tail\'' -l 'to' -r -f -d 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'
complete -c audit -n '__audit_in \'tail\'' -l 'since' -r -f -d 'events from this long ago: 30m, 24h, 7d, 2w'
complete -c audit -n '__audit_in \'tail\'' -s 'q' -l 'search' -r -f -d 'free-text search'
complete -c audit -n '__audit_in \'tail\'' -l 'detailed' -d 'include detailed access events (page views, API calls)'
complete -c audit -n '__audit_in \'tail\'' -l 'columns' -r -f -d 'only these columns, in this order, e.g. id,time,actor,action,ip (table, TSV, CSV)'
complete -c audit -n '__audit_in \'tail\'' -l 'json' -r -f -d 'JSON with only these top-level fields, e.g. id,timestamp,action,actor'
complete -c audit -n '__audit_in \'tail\'' -l 'jq' -r -f -d 'filter the --json output with jq, e.g. \'.[].actor.email\''
complete -c audit -n '__audit_in \'stats\'' -l 'by' -r -f -a 'category action actor ip team target day hour' -d 'group by one or two of these, comma-separated (at most one of day and hour; default: category)'
complete -c audit -n '__audit_in \'stats\'' -l 'top' -r -f -d 'keep the N largest groups and sum the rest as (other) (default: 10; not for day or hour alone)'
complete -c audit -n '__audit_in \'stats\'' -l 'category' -r -f -a 'auth security profile team review tunnel billing settings access gdpr audit' -d 'only these categories (repeat, or a comma list)'
complete -c audit -n '__audit_in \'stats\'' -l 'action' -r -f -d 'only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)'
complete -c audit -n '__audit_in \'stats\'' -l 'actor' -r -f -d 'actor id, email or name; "me" for your own events'
complete -c audit -n '__audit_in \'stats\'' -l 'target' -r -f -d 'target id or name'
complete -c audit -n '__audit_in \'stats\'' -l 'resource' -r -f -d 'target id or name, team name, or actor email'
complete -c audit -n '__audit_in \'stats\'' -l 'ip' -r -f -d 'IP address'
complete -c audit -n '__audit_in \'stats\'' -l 'team' -r -f -d 'team id'
complete -c audit -n '__audit_in \'stats\'' -l 'from' -r -f -d 'start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today'
complete -c audit -n '__audit_in \'stats\'' -l 'to' -r -f -d 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'
complete -c audit -n '__audit_in \'stats\'' -l 'since' -r -f -d 'events from this long ago: 30m, 24h, 7d, 2w'
complete -c audit -n '__audit_in \'stats\'' -s 'q' -l 'search' -r -f -d 'free-text search'
complete -c audit -n '__audit_in \'stats\'' -l 'detailed' -d 'include detailed access events (page views, API calls)'
complete -c audit -n '__audit_in \'export\'' -l 'format' -r -f -a 'csv json ndjson pdf' -d 'file format (default: from the -o name, else csv)'
complete -c audit -n '__audit_in \'export\'' -l 'split' -r -f -a 'day month' -d 'one file per day or month of the display time zone'
complete -c audit -n '__audit_in \'export\'' -l 'gzip' -d 'compress with gzip (implied by an -o name ending in .gz)'
complete -c audit -n '__audit_in \'export\'' -l 'cursor' -r -f -d 'resume an interrupted export from the cursor it printed'
complete -c audit -n '__audit_in \'export\'' -l 'columns' -r -f -d 'CSV: only these columns, in this order, e.g. id,timestamp,actor_email,action,ip_address'
complete -c audit -n '__audit_in \'export\'' -l 'proof' -d 'also write FILE.proof.json beside each file: proves offline (audit verify FILE) that it holds exactly the log\'s events, unmodified'
complete -c audit -n '__audit_in \'export\'' -l 'no-input' -d 'never prompt: without --from this is an error'
complete -c audit -n '__audit_in \'export\'' -l 'category' -r -f -a 'auth security profile team review tunnel billing settings access gdpr audit' -d 'only these categories (repeat, or a comma list)'
complete -c audit -n '__audit_in \'export\'' -l 'action' -r -f -d 'only these actions, e.g. user.login or tunnel.* (repeat, or a comma list)'
complete -c audit -n '__audit_in \'export\'' -l 'actor' -r -f -d 'actor id, email or name; "me" for your own events'
complete -c audit -n '__audit_in \'export\'' -l 'target' -r -f -d 'target id or name'
complete -c audit -n '__audit_in \'export\'' -l 'resource' -r -f -d 'target id or name, team name, or actor email'
complete -c audit -n '__audit_in \'export\'' -l 'ip' -r -f -d 'IP address'
complete -c audit -n '__audit_in \'export\'' -l 'team' -r -f -d 'team id'
complete -c audit -n '__audit_in \'export\'' -l 'from' -r -f -d 'start: 2024-01-31 (start of that day), 2024-01-31T14:00, an ISO time, 24h, today'
complete -c audit -n '__audit_in \'export\'' -l 'to' -r -f -d 'end, inclusive: 2024-01-31 (the whole day), an ISO time, now'
complete -c audit -n '__audit_in \'export\'' -l 'since' -r -f -d 'events from this long ago: 30m, 24h, 7d, 2w'
complete -c audit -n '__audit_in \'export\'' -s 'q' -l 'search' -r -f -d 'free-text search'
complete -c audit -n '__audit_in \'export\'' -l 'detailed' -d 'include detailed access events (page views, API calls)'
complete -c audit -n '__audit_in \'import\'' -l 'dry-run' -d 'read and check the whole file and count its events; send nothing'
complete -c audit -n '__audit_in \'verify\'' -l 'full' -d 'also re-read every event and recompute every leaf and the root (10,000 per request)'
complete -c audit -n '__audit_in \'verify\'' -l 'save-checkpoint' -r -f -a '(__fish_complete_directories)' -d 'append the verified checkpoint to DIR/<host>_<port>-<org>.checkpoints and check the log against its last one'
complete -c audit -n '__audit_in \'verify\'' -l 'trust-new-key' -d 'accept a server key other than the pinned one (after its operator rotated it) and pin it instead'
complete -c audit -n '__audit_in \'verify\'' -l 'key' -r -f -d 'FILE…: the server key to trust, the verifier key text or a file holding it (audit server key show)'
complete -c audit -s 'V' -l 'version' -d 'output the version number'
complete -c audit -l 'profile' -r -f -a '(__audit_profiles)' -d 'configuration profile (env AUDIT_PROFILE)'
complete -c audit -l 'server' -r -f -d 'audit-log server URL (env AUDIT_SERVER)'
complete -c audit -l 'org' -r -f -d 'organization (env AUDIT_ORG)'
complete -c audit -s 'o' -l 'output' -r -F -a 'table json ndjson csv' -d 'output format: table, json, ndjson or csv (export: the file to write)'
complete -c audit -l 'tz' -r -f -d 'display time zone, an IANA name such as Europe/Paris (default: the system\'s)'
complete -c audit -l 'utc' -d 'show and read times in UTC'
complete -c audit -l 'no-color' -d 'no colour (also NO_COLOR)'
complete -c audit -l 'debug' -d 'trace HTTP requests to stderr (the token masked); the stack of an unexpected error'
complete -c audit -l 'insecure' -d 'allow plain http to a server not on this machine (env AUDIT_INSECURE=1)'
complete -c audit -s 'h' -l 'help' -d 'display help for command'
