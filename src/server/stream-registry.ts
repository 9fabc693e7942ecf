import type { AuditEvent } from '../domain/event.js';
import type { DirectoryStore } from '../store/directory-store.js';
import type { Async } from '../store/port.js';
import { type Principal, visibilityOf } from './permissions.js';
import { Problem } from './problem.js';

export interface StreamLimits {
  /** Open streams one token may hold at once. */
  perToken: number;
  /** Open streams one client address may hold at once, whatever the tokens. */
  perAddress: number;
  /** How often every stream's token and role are looked at again. */
  recheckMs: number;
}

export const DEFAULT_STREAM_LIMITS: StreamLimits = { perToken: 10, perAddress: 50, recheckMs: 2000 };

/** Seconds a refused client is told to wait: streams end when their clients go, not on a clock. */
const RETRY_AFTER_SECONDS = 10;

// Events the server records when someone's access shrinks (from this process or an admin
// command in another): seeing one re-checks every stream before anything else is delivered.
const ACCESS_CHANGES = new Set([
  'security.api_token_revoked',
  'team.member_role_changed',
  'gdpr.user_erased',
]);

export const changesAccess = (event: AuditEvent) => ACCESS_CHANGES.has(event.action);

interface OpenStream {
  tokenId: number;
  address: string;
  /** What the stream was allowed to see when it opened, as a comparable key. */
  standing: string;
  end(reason: string): void;
}

/**
 * The live streams: how many each token and address holds, and whether each one's token and
 * role still allow what it was opened with. A stream whose token is revoked, or whose user's
 * role or team changed, is ended (its client reconnects and is answered as anyone else).
 */
export function createStreamRegistry(
  directory: Pick<Async<DirectoryStore>, 'authenticateById'>,
  limits: StreamLimits,
  onError: (error: unknown) => void = () => {},
) {
  const streams = new Set<OpenStream>();
  const perToken = new Map<number, number>();
  const perAddress = new Map<string, number>();
  const timer = setInterval(() => void recheck().catch(onError), limits.recheckMs);
  timer.unref();

  const bump = <K>(counts: Map<K, number>, key: K, by: number) => {
    const count = (counts.get(key) ?? 0) + by;
    if (count > 0) counts.set(key, count);
    else counts.delete(key);
  };

  /** Where a token stands now, and what to tell its streams if that is not where it stood. */
  async function verdictOn(tokenId: number): Promise<{ standing: string | undefined; reason: string }> {
    const now = await directory.authenticateById(tokenId);
    if (!now.ok) {
      const reason = now.reason === 'revoked token' ? 'the token was revoked' : 'the token no longer exists';
      return { standing: undefined, reason };
    }
    return { standing: standingOf(now), reason: "the token's role or team changed; reconnect" };
  }

  async function recheck(): Promise<void> {
    const verdicts = new Map<number, Awaited<ReturnType<typeof verdictOn>>>();
    for (const stream of [...streams]) {
      let verdict = verdicts.get(stream.tokenId);
      if (verdict === undefined) {
        verdict = await verdictOn(stream.tokenId);
        verdicts.set(stream.tokenId, verdict);
      }
      if (verdict.standing !== stream.standing) stream.end(verdict.reason);
    }
  }

  return {
    /**
     * Counts a new stream in, or refuses it with a 429; `end` is how the registry ends it.
     * Returns the release to call when the stream ends, however it ends.
     */
    admit(principal: Principal, address: string, end: (reason: string) => void): () => void {
      const tokenId = principal.token.id;
      if ((perToken.get(tokenId) ?? 0) >= limits.perToken)
        throw tooManyStreams(`already ${limits.perToken} streams open for this token`);
      if ((perAddress.get(address) ?? 0) >= limits.perAddress)
        throw tooManyStreams(`already ${limits.perAddress} streams open from this address`);
      const stream: OpenStream = { tokenId, address, standing: standingOf(principal), end };
      streams.add(stream);
      bump(perToken, tokenId, 1);
      bump(perAddress, address, 1);
      return () => {
        if (!streams.delete(stream)) return;
        bump(perToken, tokenId, -1);
        bump(perAddress, address, -1);
      };
    },
    recheck,
    /**
     * Why a stream of `principal` must end now (its token revoked, its role or team changed),
     * or undefined while it stands as it did: a backlog page, read from the database rather
     * than delivered by the follower hub, is looked at through this before it is sent.
     */
    async standing(principal: Principal): Promise<string | undefined> {
      const verdict = await verdictOn(principal.token.id);
      return verdict.standing === standingOf(principal) ? undefined : verdict.reason;
    },
    count: () => streams.size,
    close(): void {
      clearInterval(timer);
    },
  };
}

export type StreamRegistry = ReturnType<typeof createStreamRegistry>;

/** Everything a stream's answer depends on: its visibility and who "me" is (export streams too). */
export function standingOf(principal: Principal): string {
  let visibility: unknown;
  try {
    visibility = visibilityOf(principal);
  } catch {
    visibility = 'none';
  }
  const { user } = principal;
  return JSON.stringify({ visibility, user: [user.publicId, user.email], org: principal.organization.id });
}

function tooManyStreams(detail: string): Problem {
  return new Problem(
    429,
    'too-many-streams',
    'Too many streams',
    `${detail}; close one, or retry in ${RETRY_AFTER_SECONDS} s`,
    {},
    { 'retry-after': String(RETRY_AFTER_SECONDS) },
  );
}
