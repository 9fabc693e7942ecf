import type { SharedServerDatabase } from '../server-database.js';
import { openPgEngine, type PgEngineOptions } from './engine.js';
import { createPositionListener, createPositionNotifier } from './listener.js';
import { ensureEventPartitions } from './partitions.js';
import { createSharedRateLimiter } from './rate-windows.js';
import { readPgLogKey, type SecretsKeySource } from './server-keys.js';

export interface PgServerDatabaseOptions extends Omit<PgEngineOptions, 'onCommit' | 'secretsKey'> {
  secretsKey: SecretsKeySource;
  /** The fallback poll for other instances' commits, when a notification is lost; default 1 s. */
  pollMs?: number;
}

const DAY_MS = 86_400_000;

/**
 * A server instance's view of PostgreSQL: the engine (migrated, its keys made or checked), the
 * signing key they hold, shared rate-limit windows, word of other instances' commits (LISTEN/
 * NOTIFY, polling as the fallback: src/store/pg/listener.ts) and a daily run that makes the
 * coming months' event partitions.
 */
export async function openPgServerDatabase(
  url: string,
  options: PgServerDatabaseOptions,
): Promise<SharedServerDatabase> {
  const watchers: (() => void)[] = [];
  const tellWatchers = () => {
    for (const changed of watchers) changed();
  };
  let notify: (orgId: number, last: number) => void = () => {};
  const engine = await openPgEngine(url, {
    ...options,
    onCommit: (orgId, last) => {
      notify(orgId, last);
      tellWatchers();
    },
  });
  try {
    const secretsKey = engine.secretsKey;
    if (!secretsKey) throw new Error('the PostgreSQL engine was opened without its secrets key');
    const logKey = await readPgLogKey(engine.pool, secretsKey);
    const notifier = createPositionNotifier(engine.pool, { onError: options.onError });
    notify = (orgId, last) => notifier.notify(orgId, last);
    const listeners: { close(): Promise<void> }[] = [];
    const now = options.now ?? Date.now;
    const partitions = setInterval(() => {
      ensureEventPartitions(engine.pool, now()).catch((error: unknown) => options.onError?.(error));
    }, DAY_MS);
    partitions.unref();
    return {
      engine,
      logKey,
      createLimiter: (limitPerMinute, limiterNow, limiterOptions) =>
        createSharedRateLimiter(engine.pool, limitPerMinute, limiterNow, limiterOptions),
      watch(changed, orgIds) {
        watchers.push(changed);
        listeners.push(
          createPositionListener(url, () => changed(), {
            orgIds,
            pollMs: options.pollMs,
            onError: options.onError,
          }),
        );
      },
      async close() {
        clearInterval(partitions);
        await Promise.all(listeners.map((listener) => listener.close()));
        await notifier.close();
        await engine.close();
      },
    };
  } catch (error) {
    await engine.close();
    throw error;
  }
}
