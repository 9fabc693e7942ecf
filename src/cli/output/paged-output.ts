import { Writable } from 'node:stream';
import { type Pager, type PagerSetup, shouldPage, startPager } from './pager.js';

export interface PagedOutputSetup extends PagerSetup {
  stdout: NodeJS.WritableStream & { isTTY?: boolean };
  /** Lines of the terminal: output longer than this goes to the pager. */
  rows: number | undefined;
}

export interface PagedOutput {
  /** Write the output here. Fails with EPIPE once the user has quit the pager. */
  readonly stream: Writable;
  /** Ends the output; resolves when it is all out and the pager (if one started) has exited. */
  finish(): Promise<void>;
  /** Stops at once (Ctrl-C): the pager gets what it already has, and is waited for. */
  abort(): Promise<void>;
}

/**
 * Output for a terminal that pages only what is longer than a screen, as a stream: the first
 * screenful is held; what ends within it is printed directly; once it is exceeded the pager starts,
 * is given the held lines, and every later chunk goes to it as it comes, at the pager's pace.
 */
export function pagedOutput(setup: PagedOutputSetup): PagedOutput {
  let held: string[] = [];
  let lines = 0;
  let pager: Pager | undefined;
  // Without a known height there is no screenful to measure: print as it comes.
  let direct = setup.rows === undefined || setup.rows <= 0;
  let finished = false;

  const target = (): NodeJS.WritableStream => pager?.stream ?? setup.stdout;
  const send = (chunk: string, callback: (error?: Error | null) => void) => {
    if (target().write(chunk)) callback();
    else target().once('drain', () => callback());
  };
  const decide = () => {
    const started = startPager(setup);
    if (started) {
      pager = started;
      // The pager's own exit is what tells us the user quit; its broken pipe says nothing more.
      started.stream.on('error', () => undefined);
      void started.done.then(() => {
        if (!finished) stream.destroy(closedPipeError());
      });
    } else direct = true;
  };

  const stream = new Writable({
    decodeStrings: false,
    write(chunk: Buffer | string, _encoding, callback) {
      const text = chunk.toString();
      if (pager || direct) return send(text, callback);
      held.push(text);
      for (let at = text.indexOf('\n'); at >= 0; at = text.indexOf('\n', at + 1)) lines += 1;
      // A screen holds its rows less one: the prompt's line.
      if (!shouldPage(lines + 1, setup.rows)) return callback();
      decide();
      const all = held.join('');
      held = [];
      send(all, callback);
    },
    final(callback) {
      finished = true;
      if (held.length > 0) setup.stdout.write(held.join(''));
      held = [];
      callback();
    },
  });

  const closePager = async () => {
    finished = true;
    if (!pager) return;
    pager.stream.end();
    await pager.done;
  };
  return {
    stream,
    async finish() {
      await new Promise<void>((resolve, reject) => {
        stream.once('error', reject);
        stream.once('finish', resolve);
        stream.end();
      });
      await closePager();
    },
    async abort() {
      finished = true;
      stream.destroy();
      if (!pager) return;
      // What the pager has not read yet is dropped: the user asked to stop.
      (pager.stream as Writable).destroy();
      await pager.done;
    },
  };
}

function closedPipeError(): Error {
  return Object.assign(new Error('the pager was closed'), { code: 'EPIPE' });
}
