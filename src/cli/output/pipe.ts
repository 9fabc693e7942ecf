const CLOSED_PIPE_CODES = new Set(['EPIPE', 'ERR_STREAM_DESTROYED', 'ERR_STREAM_WRITE_AFTER_END']);

/** True when the reader went away (`audit logs | head`, a pager quit early): not a failure. */
export function isClosedPipeError(error: unknown): boolean {
  if (typeof error !== 'object' || error === null) return false;
  const code = (error as { code?: unknown }).code;
  return typeof code === 'string' && CLOSED_PIPE_CODES.has(code);
}

/**
 * Calls `onClosed` (once) when `stream` fails because its reader has gone, so the command can stop
 * and exit 0 instead of dying on an unhandled 'error'. Any other error is rethrown, as it would be
 * without a listener, unless `onOtherError` takes it. Returns a function that removes the guard.
 */
export function guardClosedPipe(
  stream: NodeJS.EventEmitter,
  onClosed: () => void,
  onOtherError?: (error: Error) => void,
): () => void {
  let closed = false;
  const onError = (error: Error) => {
    if (isClosedPipeError(error)) {
      if (!closed) {
        closed = true;
        onClosed();
      }
      return;
    }
    if (onOtherError) onOtherError(error);
    else throw error;
  };
  stream.on('error', onError);
  return () => {
    stream.removeListener('error', onError);
  };
}
