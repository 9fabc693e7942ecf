/**
 * What `audit tail` says on stderr while it is cut off from its server. On a terminal: one
 * status line, redrawn in place every second ("disconnected from … — retrying in 8 s (attempt
 * 5, since 10:42:13): reason"), replaced by one lasting line when tail is back. Elsewhere (a log
 * file): one line when the connection is lost and one when it is back, never one per attempt.
 */
import type { ResumeGap } from '../../client/follower.js';
import { sanitizeForDisplay } from '../../format/sanitize.js';
import { formatTimestamp } from '../../format/time-format.js';
import { unreachableHint } from '../to-cli-error.js';
import { cutToWidth, textWidth } from './text-width.js';

export interface ReconnectStatusOptions {
  stderr: NodeJS.WritableStream & { isTTY?: boolean; columns?: number };
  /** The server's URL (its user, password and query are not shown). */
  server: string;
  zone: string;
  now: () => number;
  /** AUDIT_TAIL_MAX_RECONNECTS when set: said once, so a script's log tells when tail will stop. */
  maxFailures: number;
}

export interface ReconnectStatus {
  /** An attempt failed; the next one comes after `delayMs`. */
  /** `first`: tail has not reached the server yet; `error`, when there is one, gives a hint. */
  failed(info: { failure: number; delayMs: number; reason: string; first?: boolean; error?: unknown }): void;
  /** The first working connection after failures. */
  reconnected(info: { first: boolean; gap: ResumeGap | undefined }): void;
  /** A line of its own on stderr (a warning), kept clear of the status line. */
  say(line: string): void;
  /** Takes the status line off the screen until its next redraw: before output to the same terminal. */
  hide(): void;
  /** Takes the status line off the screen for good. */
  end(): void;
}

const CLEAR_LINE = '\r\u001b[2K';

/** Why events may be missing after a reconnect, in words. */
const GAP_WORDS: Record<ResumeGap, string> = {
  'position-ahead':
    "the server's log ends before where this tail left off (was its database restored from an older copy?); following from the log's end",
  'position-unknown':
    "the server did not recognise where this tail left off (another database at this address?); following from the log's end",
  'no-position': "the server gave no position to resume from; following from the log's end",
  unconfirmed: 'the server did not say where it resumed the stream',
};

export function createReconnectStatus(options: ReconnectStatusOptions): ReconnectStatus {
  const { stderr, zone, now } = options;
  const server = shownServer(options.server);
  const terminal = stderr.isTTY === true;
  let since: number | undefined;
  // `head` says what is wrong; `reason`, when there is more to say, follows the attempt count.
  let current: { failure: number; retryAt: number; head: string; reason: string } | undefined;
  let shown = false;
  let ticker: NodeJS.Timeout | undefined;

  const clock = (at: number) => formatTimestamp(new Date(at).toISOString(), zone).slice(11);
  const draw = () => {
    if (!current || since === undefined) return;
    const seconds = Math.ceil((current.retryAt - now()) / 1000);
    const when = seconds > 0 ? `retrying in ${seconds} s` : 'reconnecting';
    const reason = current.reason ? `: ${current.reason}` : '';
    const line = `${current.head} — ${when} (attempt ${current.failure}, since ${clock(since)})${reason}`;
    stderr.write(`${CLEAR_LINE}${fitWidth(line, (stderr.columns ?? 80) - 1)}`);
    shown = true;
  };
  const clear = () => {
    if (shown) stderr.write(CLEAR_LINE);
    shown = false;
  };
  const stopTicking = () => {
    if (ticker) clearInterval(ticker);
    ticker = undefined;
  };

  return {
    failed({ failure, delayMs, reason, first: neverConnected = false, error }) {
      const safeReason = sanitizeForDisplay(reason);
      // Tail started while the server was away: "disconnected" would be wrong, and the hint
      // (is the server running? the host name?) is what the user needs, first.
      const hint = neverConnected ? unreachableHint(error) : undefined;
      const head = hint
        ? `${safeReason}${hint}`
        : `${neverConnected ? 'cannot connect to' : 'disconnected from'} ${server}`;
      const first = since === undefined;
      since ??= now();
      current = { failure, retryAt: now() + delayMs, head, reason: hint ? '' : safeReason };
      if (terminal) {
        draw();
        ticker ??= setInterval(draw, 1000).unref();
      } else if (first) {
        const until = Number.isFinite(options.maxFailures)
          ? `at most ${options.maxFailures} time${options.maxFailures === 1 ? '' : 's'} (AUDIT_TAIL_MAX_RECONNECTS)`
          : 'until Ctrl-C';
        stderr.write(`audit: ${hint ? `${head} — ` : `${head} (${safeReason}); `}retrying ${until}\n`);
      }
    },
    reconnected({ first, gap }) {
      stopTicking();
      clear();
      const away = since === undefined ? '' : ` after ${duration(now() - since)}`;
      since = undefined;
      current = undefined;
      if (first) stderr.write(`audit: connected to ${server}${away}\n`);
      else if (gap === undefined) stderr.write(`audit: reconnected to ${server}${away} — no events missed\n`);
      else
        stderr.write(
          `audit: warning: reconnected to ${server}${away}, but events may be missing: ${GAP_WORDS[gap]}\n`,
        );
    },
    say(line) {
      const redraw = shown;
      clear();
      stderr.write(`${line}\n`);
      if (redraw) draw();
    },
    hide: clear,
    end() {
      stopTicking();
      clear();
    },
  };

  function duration(ms: number): string {
    const seconds = Math.max(0, Math.round(ms / 1000));
    if (seconds < 60) return `${seconds} s`;
    const minutes = Math.floor(seconds / 60);
    if (minutes < 60) return `${minutes} min ${seconds % 60} s`;
    return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
  }
}

/** The server's address as the status line shows it: no user, password, query or fragment. */
function shownServer(server: string): string {
  try {
    const url = new URL(server);
    return sanitizeForDisplay(`${url.protocol}//${url.host}${url.pathname.replace(/\/+$/, '')}`);
  } catch {
    return sanitizeForDisplay(server);
  }
}

/** `text` cut with `…` to at most `columns` terminal columns, so it never wraps onto a second row. */
function fitWidth(text: string, columns: number): string {
  return textWidth(text) <= columns ? text : cutToWidth(text, columns);
}
