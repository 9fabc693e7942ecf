/**
 * A store method one engine does not offer yet: the caller (the server) answers it as a clear
 * "not available on this database" rather than a 500. Names the engine and the method.
 */
export class EngineFeatureUnavailable extends Error {
  override readonly name = 'EngineFeatureUnavailable';
  constructor(
    readonly engine: 'sqlite' | 'postgres',
    readonly method: string,
    why: string,
  ) {
    super(`${method} is not available on ${engine === 'postgres' ? 'PostgreSQL' : 'SQLite'} yet: ${why}`);
  }
}
