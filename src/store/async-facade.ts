import type { Async } from './port.js';

/**
 * How a facade runs one synchronous store call: at once, after a write in progress, or not at
 * all once its transaction ended. `run` throws synchronously for the call's own errors.
 */
export type CallPolicy = <R>(run: () => R) => Promise<R>;

/** Runs `run` now and answers its result, or its error, as a settled promise. */
export const callNow: CallPolicy = (run) => {
  try {
    return Promise.resolve(run());
  } catch (error) {
    return Promise.reject(error);
  }
};

function isGeneratorFunction(value: unknown): boolean {
  return typeof value === 'function' && value.constructor?.name === 'GeneratorFunction';
}

/**
 * The Promise face of a synchronous store: each method runs the store's own under `policy`, so
 * SQLite's work still happens in one call and its answer is ready on the next microtask. A
 * generator becomes an AsyncIterable that takes its first item under the policy.
 */
export function asyncFacade<T extends object>(target: T, policy: CallPolicy = callNow): Async<T> {
  const facade: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(target)) {
    if (typeof value !== 'function') continue;
    // Looked up at each call, so a method replaced on the store (a test's spy) is the one run.
    const method = () =>
      (target as Record<string, (...args: unknown[]) => unknown>)[name] as (...args: unknown[]) => unknown;
    facade[name] = isGeneratorFunction(value)
      ? (...args: unknown[]) => iterateUnder(policy, () => method().apply(target, args) as Iterator<unknown>)
      : (...args: unknown[]) => policy(() => method().apply(target, args));
  }
  return facade as Async<T>;
}

async function* iterateUnder<Y>(policy: CallPolicy, open: () => Iterator<Y>): AsyncGenerator<Y> {
  const iterator = await policy(open);
  for (let step = iterator.next(); !step.done; step = iterator.next()) yield step.value;
}

/**
 * asyncFacade over a store made on first use by `make`, which may load its module then. Until
 * it is made, a call waits for it: a wait the write gate's guard rolls a write back for, so a
 * caller that writes through one makes it first (or hands the engine the store made).
 */
export function lazyFacade<T extends object>(make: () => Promise<T>, policy: CallPolicy = callNow): Async<T> {
  let made: Promise<Async<T>> | undefined;
  const facadeOf = () => {
    made ??= make().then((target) => asyncFacade(target, policy));
    return made;
  };
  return new Proxy({} as Async<T>, {
    get(_, name) {
      if (typeof name !== 'string' || name === 'then') return undefined;
      return async (...args: unknown[]) =>
        ((await facadeOf()) as Record<string, (...args: unknown[]) => unknown>)[name]?.(...args);
    },
  });
}
