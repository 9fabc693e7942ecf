import { Command } from 'commander';
import { MAX_PAGE_SIZE } from '../../domain/request-limits.js';
import type { CliContext } from '../context.js';
import { writeLine } from '../context.js';
import { ApiError } from '../errors.js';
import { addFilterOptions, type FilterOptions, filtersToParams } from '../filter-options.js';
import { addOutputOptions, type OutputOptions, outputFormatOf, resolveOutput } from '../output-options.js';
import { examples, integerInRange } from '../parse-options.js';
import { openSession } from '../session.js';

interface TailOptions extends FilterOptions, OutputOptions {
  lines: number;
  wide?: boolean;
}

export function tailCommand(context: CliContext): Command {
  const command = new Command('tail')
    .description('print the newest events, then follow new ones as they happen, until Ctrl-C')
    .option(
      '-n, --lines <n>',
      'how many recent events to print first',
      integerInRange('-n', 0, MAX_PAGE_SIZE),
      10,
    )
    .option('--wide', 'every column, the event id too, nothing cut or hidden (the terminal may wrap)');
  return addOutputOptions(addFilterOptions(command))
    .addHelpText('after', `\n${RECONNECTING}`)
    .addHelpText(
      'after',
      examples(
        '$ audit tail --category auth,security                    # watch sign-ins during an incident',
        '$ audit tail --action user.login_failed -n 0',
        '$ audit tail --actor bob@example.com -o ndjson | jq .action',
        '$ AUDIT_TAIL_MAX_RECONNECTS=20 audit tail -o ndjson >> events.log   # a script: exit 1 after 20 failures in a row',
        '$ audit tail --wide                                      # event ids too, nothing cut',
        '$ audit tail --columns time,actor_email,action,ip,user_agent',
        "$ audit tail --json actor,context --jq '[.actor.email, .context.ip_address] | @tsv'   # each event on its own",
      ),
    )
    .action(async (options: TailOptions, cmd: Command) => {
      const session = await openSession(context, cmd);
      const format = outputFormatOf(options, session.flags.output);
      const output = await resolveOutput(options, format ?? (session.stdoutIsTerminal ? 'table' : 'tsv'));
      const params = filtersToParams(options, { zone: session.zone, now: context.now() });
      const jq =
        output.jq === undefined
          ? undefined
          : await (await import('../output/jq-filter.js')).loadJqFilter(output.jq, {
              terminal: session.stdoutIsTerminal,
            });
      const client = await session.client();
      const [
        { followEvents, FollowerGaveUpError, reconnectDelayMs },
        { createLineWriter },
        { guardClosedPipe },
        { sanitizeForDisplay },
        { createReconnectStatus },
        { WIDE_COLUMNS },
      ] = await Promise.all([
        import('../../client/follower.js'),
        import('../output/event-line.js'),
        import('../output/pipe.js'),
        import('../../format/sanitize.js'),
        import('../output/reconnect-status.js'),
        import('../output/column-layout.js'),
      ]);
      const stop = new AbortController();
      void context.interrupted.then(() => stop.abort());
      guardClosedPipe(context.stdout, () => stop.abort());
      const writer =
        jq && output.fields
          ? (await import('../output/jq-filter.js')).createJqLineWriter(
              jq,
              output.fields,
              context.stdout,
              // Said through the status line, which keeps stderr in order while reconnecting.
              (line) => status.say(line),
            )
          : createLineWriter(format, context.stdout, {
              zone: session.zone,
              color: session.color,
              terminalWidth: (context.stdout as NodeJS.WriteStream).columns,
              // --columns chooses them; --wide then only keeps them whole.
              columns: output.columns ?? (options.wide ? WIDE_COLUMNS : undefined),
              csvColumns: output.csvColumns,
              fields: output.fields,
              wide: options.wide,
              onHiddenColumns: (note) => writeLine(context.stderr, note),
            });

      const maxFailures = maxReconnects(context.env);
      const retryCapMs = retryMaxMs(context.env);
      const status = createReconnectStatus({
        stderr: context.stderr,
        server: (await session.connection()).server,
        zone: session.zone,
        now: context.now,
        maxFailures,
      });
      const sameTerminal = Boolean(context.stdout.isTTY && context.stderr.isTTY);
      const startedAt = new Date(context.now()).toISOString();
      const recent = async () =>
        options.lines > 0
          ? (await client.listPage({ ...params, per_page: options.lines })).data.reverse()
          : [];
      try {
        for await (const followed of followEvents({
          signal: stop.signal,
          initial: recent,
          maxConsecutiveFailures: maxFailures,
          delayMs: (failure) => reconnectDelayMs(failure, { capMs: retryCapMs }),
          openStream: (position, signal) => client.openStream(params, { lastEventId: position, signal }),
          // Without an event to start after, polling starts at the moment tail started.
          poll: async (afterId) =>
            (
              await client.listPage(
                afterId
                  ? { ...params, after: afterId, per_page: MAX_PAGE_SIZE }
                  : { ...params, since: undefined, from: startedAt, order: 'asc', per_page: MAX_PAGE_SIZE },
              )
            ).data,
          sleep: (ms, signal) => abortableSleep(ms, signal),
          onReconnecting: (info) => status.failed(info),
          onReconnected: (info) => status.reconnected(info),
          onPolling: (reason) => status.say(`${sanitizeForDisplay(reason)}; polling for new events instead`),
          onPositionAhead: () =>
            status.say(
              "audit: warning: the server's log ends before where this tail left off (was its database restored from an older copy?); following from the log's end",
            ),
          // One line each, and the following goes on: one bad message is no reason to stop watching.
          onSkipped: ({ position }) =>
            status.say(
              `audit: warning: skipped an event that is not a JSON object (${
                position === undefined
                  ? 'in a list answer'
                  : `stream position ${sanitizeForDisplay(position).slice(0, MAX_POSITION_SHOWN)}`
              })`,
            ),
        })) {
          if (sameTerminal) status.hide();
          writer.write(followed);
        }
      } catch (error) {
        if (stop.signal.aborted) return; // Ctrl-C or a closed pipe: tail ends quietly, 0
        if (error instanceof FollowerGaveUpError)
          throw new ApiError(error.message, undefined, { cause: error });
        throw error;
      } finally {
        status.end();
        writer.flush();
        client.close();
      }
    });
}

const RECONNECTING = [
  'When the connection drops, tail keeps trying until Ctrl-C. It waits a random time up to 0.5 s,',
  'then up to twice as long after each failure, at most 30 s (AUDIT_TAIL_RETRY_MAX_MS), or as long',
  'as the server asks (Retry-After). Meanwhile a status line on stderr says since when and when the',
  'next try comes (one line per change when stderr is not a terminal). Once back, tail resumes after',
  'the last event it printed and says "reconnected — no events missed", or why some may be missing.',
  'It stops only where retrying cannot help: the token refused or revoked (exit 4), the organization',
  "gone, or an answer that is not the API's (exit 1). For scripts, AUDIT_TAIL_MAX_RECONNECTS=N makes",
  'it give up after N failures in a row (exit 1).',
].join('\n');

// Our positions are 22 characters; another server's id is shown only this far.
const MAX_POSITION_SHOWN = 64;

/**
 * AUDIT_TAIL_MAX_RECONNECTS: consecutive failed reconnects before tail gives up (exit 1), for
 * scripts; unset, tail keeps trying until Ctrl-C.
 */
function maxReconnects(env: NodeJS.ProcessEnv): number {
  return nonNegativeInteger(env.AUDIT_TAIL_MAX_RECONNECTS) ?? Number.POSITIVE_INFINITY;
}

/** AUDIT_TAIL_RETRY_MAX_MS: the longest wait between reconnect attempts (default 30 s). */
function retryMaxMs(env: NodeJS.ProcessEnv): number | undefined {
  return nonNegativeInteger(env.AUDIT_TAIL_RETRY_MAX_MS);
}

function nonNegativeInteger(text: string | undefined): number | undefined {
  const value = text === undefined || text.trim() === '' ? Number.NaN : Number(text);
  return Number.isInteger(value) && value >= 0 ? value : undefined;
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
    function done() {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    }
  });
}
