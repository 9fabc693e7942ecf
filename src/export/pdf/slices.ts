/**
 * Rendering a large report is many seconds of CPU in small synchronous steps; run back to back they
 * would hold the event loop for seconds (a frozen spinner, a Ctrl-C that waits). The renderer
 * asks `due()` after each step and, once a slice of time has passed, `pause()`s: one turn of
 * the event loop (timers, signals, output) and a check that nobody asked it to stop.
 */
import { performance } from 'node:perf_hooks';

/** Long enough that the pauses cost nothing measurable, short enough for a smooth spinner (80 ms). */
const SLICE_MS = 25;

export interface Slicer {
  /** True once this slice has run its time. */
  due(): boolean;
  /** Lets the event loop run; throws the signal's reason if it was aborted meanwhile. */
  pause(): Promise<void>;
}

export function createSlicer(signal: AbortSignal | undefined, sliceMs = SLICE_MS): Slicer {
  let started = performance.now();
  return {
    due: () => performance.now() - started >= sliceMs,
    async pause() {
      await new Promise((resolve) => setImmediate(resolve));
      signal?.throwIfAborted();
      started = performance.now();
    },
  };
}
