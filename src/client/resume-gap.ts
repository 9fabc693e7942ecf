/**
 * Whether a follower that reconnected can promise that no event was missed while it was away.
 * It resumes by the stream position of the last event it saw; the bundled server's first words
 * on a stream say where it starts: that position when it knows it, else the log's end (followed
 * by a `position-ahead` notice).
 */

/** Why events sent while a follower was away may be missing; undefined when none can be. */
export type ResumeGap =
  /** The server's log ends before the position resumed from (restored from an older copy). */
  | 'position-ahead'
  /** The server did not recognise the position (another database behind the same address). */
  | 'position-unknown'
  /** The server never gave a position to resume from, so the stream started afresh. */
  | 'no-position'
  /** The server took the position but did not say where it resumed (not the bundled server). */
  | 'unconfirmed';

export interface FirstWords {
  /** The server refused the position, so this stream started afresh. */
  positionRefused: boolean;
  /** The position sent as Last-Event-ID; undefined when there was none. */
  resumedFrom: string | undefined;
  /** A stream worked before this one (else this is the first connection, with nothing to miss). */
  connectedBefore: boolean;
  /** Where the server said this stream starts (`: connected at position P`), if it said so. */
  startsAt: string | undefined;
  /** The server's notice that its log ends before the position came with the first words. */
  noticedAhead: boolean;
}

export function resumeGap(first: FirstWords): ResumeGap | undefined {
  if (first.positionRefused) return 'position-unknown';
  if (first.resumedFrom === undefined) return first.connectedBefore ? 'no-position' : undefined;
  if (first.noticedAhead) return 'position-ahead';
  if (first.startsAt === undefined) return 'unconfirmed';
  return first.startsAt === first.resumedFrom ? undefined : 'position-ahead';
}
