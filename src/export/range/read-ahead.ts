/** Yields what `source` yields, asking it for the next item as soon as one is handed out. */
export async function* readAhead<T>(source: AsyncIterable<T>): AsyncGenerator<T> {
  const iterator = source[Symbol.asyncIterator]();
  let next = iterator.next();
  try {
    for (;;) {
      const result = await next;
      if (result.done) return;
      next = iterator.next();
      // A failure of the page asked for ahead surfaces when it is awaited, not as unhandled.
      next.catch(() => undefined);
      // Let the request for the next page go out before the caller works on this one: undici
      // writes it to the socket on a later turn of the event loop, and a caller busy turning
      // a page into CSV kept the server waiting (server and client then took turns, idle half
      // the time each).
      await new Promise((resolve) => setImmediate(resolve));
      yield result.value;
    }
  } finally {
    await iterator.return?.(undefined).catch(() => undefined);
  }
}
