import { createSseParser, type SseMessage } from '../../src/client/sse-parser.js';

export interface TestStream {
  messages: SseMessage[];
  comments: string[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
  status: number;
  /** Resolves when the server ends the stream (not when close() aborts it). */
  ended: Promise<void>;
}

/** Opens an SSE stream with fetch and collects what arrives; for tests against a listening app. */
export async function openStream(url: string, headers: Record<string, string>): Promise<TestStream> {
  const controller = new AbortController();
  const response = await fetch(url, { headers, signal: controller.signal });
  const messages: SseMessage[] = [];
  const comments: string[] = [];
  const waiters: (() => void)[] = [];
  const parser = createSseParser(
    (message) => {
      messages.push(message);
      for (const wake of waiters.splice(0)) wake();
    },
    (comment) => comments.push(comment),
  );
  let ended: Promise<void> = new Promise(() => {});
  if (response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    ended = (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) return;
          parser.push(value);
        }
      } catch {
        // Aborted by close(), or the server dropped the connection.
        if (!controller.signal.aborted) return;
      }
      await new Promise(() => {});
    })();
  }
  return {
    messages,
    comments,
    status: response.status,
    ended,
    close: () => controller.abort(),
    waitFor(count, timeoutMs = 5000) {
      return new Promise((resolve, reject) => {
        const timer = setTimeout(
          () => reject(new Error(`only ${messages.length} of ${count} messages`)),
          timeoutMs,
        );
        const check = () => {
          if (messages.length >= count) {
            clearTimeout(timer);
            resolve(messages.slice(0, count));
          } else waiters.push(check);
        };
        check();
      });
    },
  };
}
