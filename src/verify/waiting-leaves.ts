/**
 * Leaves a full check cannot recompute and that a LATER record must account for: an event whose
 * salt is gone (a GDPR erasure names its position) and an event that is gone (a retention purge
 * with a cutoff after its time). Kept compactly: erased positions one number each, purged leaves
 * as runs of consecutive positions with their latest time, so a purge of a million events is a
 * handful of runs.
 */
import type { Problem } from './problems.js';

export interface ErasedAndPurged {
  /** Events whose salt a recorded erasure deleted (their content can no longer be checked). */
  erased: number;
  /** Events deleted by a recorded retention purge. */
  purged: number;
}

interface PurgedRun {
  first: number;
  last: number;
  firstId: string;
  /** The latest time in the run: a purge whose cutoff is after it accounts for the whole run. */
  latest: number;
  latestText: string;
}

export function createWaitingLeaves() {
  let erasedWaiting: { position: number; id: string }[] = [];
  let runs: PurgedRun[] = [];
  let erased = 0;
  let purged = 0;
  return {
    erased(position: number, id: string): void {
      erasedWaiting.push({ position, id });
    },
    purged(position: number, header: { id: string; timestamp: string }): void {
      const time = Date.parse(header.timestamp);
      // A leaf's time that does not parse can be after no cutoff: it stays unaccounted for.
      const latest = Number.isNaN(time) ? Number.POSITIVE_INFINITY : time;
      const run = runs.at(-1);
      if (run && run.last === position - 1) {
        run.last = position;
        if (latest > run.latest) {
          run.latest = latest;
          run.latestText = header.timestamp;
        }
      } else {
        runs.push({
          first: position,
          last: position,
          firstId: header.id,
          latest,
          latestText: header.timestamp,
        });
      }
    },
    /** A verified erasure record: the waiting positions it names are accounted for. */
    erasedBy(names: (position: number) => boolean): void {
      const before = erasedWaiting.length;
      erasedWaiting = erasedWaiting.filter(({ position }) => !names(position));
      erased += before - erasedWaiting.length;
    },
    /** A verified purge record: the runs entirely before its cutoff are accounted for. */
    purgedBefore(cutoff: number): void {
      runs = runs.filter((run) => {
        if (run.latest >= cutoff) return true;
        purged += run.last - run.first + 1;
        return false;
      });
    },
    counts: (): ErasedAndPurged => ({ erased, purged }),
    /** What no record accounts for, at the end of the check. */
    unaccounted(): Problem[] {
      const problems: Problem[] = [];
      const [first, ...rest] = erasedWaiting;
      if (first) {
        problems.push({
          kind: 'salt-deleted',
          message: `event ${first.id} at position ${first.position} was changed after it was sealed (its salt is gone and no GDPR erasure names it)`,
          event_id: first.id,
          position: first.position,
          ...(rest.length ? { more: rest.length } : {}),
        });
      }
      const [run, ...otherRuns] = runs;
      if (run) {
        const span = run.first === run.last ? `position ${run.first}` : `positions ${run.first}–${run.last}`;
        const more =
          run.last - run.first + otherRuns.reduce((sum, other) => sum + other.last - other.first + 1, 0);
        problems.push({
          kind: 'missing-event',
          message: `event ${run.firstId} at ${span} was deleted (no retention purge covers its time ${run.latestText})`,
          event_id: run.firstId,
          position: run.first,
          ...(more ? { more } : {}),
        });
      }
      return problems;
    },
  };
}
