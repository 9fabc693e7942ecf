import { EngineFeatureUnavailable } from '../engine-feature.js';

/**
 * A port the PostgreSQL engine does not offer yet (issue 23: the server does not run on
 * PostgreSQL until it does): every method answers EngineFeatureUnavailable naming it. Nothing
 * that runs on PostgreSQL today (the admin commands) calls one.
 */
export function unavailablePort<T extends object>(port: string): T {
  return new Proxy({} as T, {
    get(_target, method) {
      // Not a thenable, and not a method for symbols (inspection, iteration).
      if (typeof method !== 'string' || method === 'then') return undefined;
      return () => Promise.reject(unavailable(`${port}.${method}`));
    },
  });
}

export function unavailable(method: string): EngineFeatureUnavailable {
  return new EngineFeatureUnavailable('postgres', method, 'the server does not run on PostgreSQL yet');
}
