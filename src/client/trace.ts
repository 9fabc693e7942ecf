const VISIBLE_TOKEN_CHARS = 12;

/**
 * A token as it may be shown: its first 12 characters (the `adt_` prefix and a little more,
 * enough to tell tokens apart) and an ellipsis; short tokens show at most a third of themselves.
 */
export function maskToken(token: string): string {
  const visible = Math.min(VISIBLE_TOKEN_CHARS, Math.floor(token.length / 3));
  return `${token.slice(0, visible)}…`;
}

/** An Authorization header value with the credential masked. */
export function maskAuthorization(value: string): string {
  const match = /^(\S+)\s+(.+)$/.exec(value);
  return match ? `${match[1]} ${maskToken(match[2] as string)}` : maskToken(value);
}

/** Request headers for the `--debug` trace, one `name: value` line each, credentials masked. */
export function traceHeaderLines(headers: Readonly<Record<string, string>>): string[] {
  return Object.entries(headers).map(([name, value]) => {
    const lower = name.toLowerCase();
    const shown =
      lower === 'authorization' || lower === 'proxy-authorization' ? maskAuthorization(value) : value;
    return `  ${lower}: ${shown}`;
  });
}

/** Wall-clock milliseconds since `started` (a performance.now() value), rounded for the trace. */
export function elapsedMs(started: number): number {
  return Math.round(performance.now() - started);
}
