/**
 * Ctrl-C (or SIGTERM) as an error: the reason the CLI's abort signal carries, so that every layer
 * (the client's aborted requests, an export's stop, the CLI's exit code) can tell an interruption
 * from a failure, however many times it was wrapped.
 */
export class InterruptedError extends Error {
  override readonly name = 'InterruptedError';
  constructor(readonly signal: NodeJS.Signals) {
    super('interrupted');
  }
}

/** Whether `error`, or an error in its `cause` chain, is an InterruptedError. */
export function isInterruption(error: unknown): boolean {
  const seen = new Set<unknown>();
  for (let current = error; current instanceof Error && !seen.has(current); current = current.cause) {
    if (current instanceof InterruptedError) return true;
    seen.add(current);
  }
  return false;
}
