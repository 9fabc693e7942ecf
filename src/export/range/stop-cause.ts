/** Which failures stop an export in a state a resume can continue from. */
import { AuditApiError, AuditNetworkError } from '../../client/errors.js';
import { isRetryableStatus } from '../../client/retry.js';
import { isInterruption } from '../../domain/interrupted.js';

export interface StopCause {
  /** `signal`: the caller aborted; `network`: retries ran out. */
  cause: 'signal' | 'network';
  reason: string;
}

/** An abort, or the network/server giving up after every retry: resumable. Anything else is not. */
export function stopCause(error: unknown, signal: AbortSignal | undefined): StopCause | undefined {
  if (signal?.aborted || isInterruption(error)) return { cause: 'signal', reason: 'interrupted' };
  if (!(error instanceof Error)) return undefined;
  const gaveUp =
    error instanceof AuditNetworkError || (error instanceof AuditApiError && isRetryableStatus(error.status));
  return gaveUp ? { cause: 'network', reason: error.message } : undefined;
}
