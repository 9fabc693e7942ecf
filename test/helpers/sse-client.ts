import { createSseParser, type SseMessage } from '../../src/client/sse-parser.js';

export interface TestStream {
  messages: SseMessage[];
  comments: string[];
  /** Resolves once `count` messages have arrived (or rejects after `timeoutMs`). */
  waitFor(count: number, timeoutMs?: number): Promise<SseMessage[]>;
  close(): void;
  status: number;
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
  if (response.body) {
    const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
    void (async () => {
      try {
        for (;;) {
          const { value, done } = await reader.read();
          if (done) break;
          parser.push(value);
        }
      } catch {
        // Aborted by close().
      }
    })();
  }
  return {
    messages,
    comments,
    status: response.status,
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
