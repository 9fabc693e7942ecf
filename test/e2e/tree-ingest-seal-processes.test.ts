import Database from 'better-sqlite3';
import { afterEach, describe, expect, it } from 'vitest';
import {
  cliEnv,
  ingestEvents,
  runCli,
  type SpawnedServer,
  startServerProcess,
  tempHome,
} from '../helpers/cli.js';

/**
 * A real server, whose ingest seals its own events in its transaction, and admin commands
 * (`audit server token create`, another process writing self-audit events to the same file)
 * writing at the same moments: every event gets one leaf, in storing order, and verify --full passes.
 */
let server: SpawnedServer | undefined;
afterEach(async () => {
  await server?.stop('SIGKILL');
  server = undefined;
});

describe('ingest that seals beside other processes writing the same file', () => {
  it('threat: admin commands write while the server ingests — no leaf out of order, twice or missing', async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir, { AUDIT_CHECKPOINT_INTERVAL_MS: '50' });
    server = await startServerProcess(['--db', home.dbFile], env);
    const live = server;
    const token = live.token as string;
    const batches = Array.from({ length: 30 }, (_, b) =>
      Array.from({ length: 20 }, (_, i) => ({ action: 'user.login', description: `b${b} e${i}` })),
    );
    const ingesting = (async () => {
      for (const batch of batches) await ingestEvents(live.url, token, batch);
    })();
    const admins = (async () => {
      for (let n = 0; n < 6; n++) {
        const created = await runCli(
          ['server', 'token', 'create', '--user', 'root@localhost', '--name', `t${n}`, '--db', home.dbFile],
          { env },
        );
        expect(created.code, created.stderr).toBe(0);
      }
    })();
    await Promise.all([ingesting, admins]);
    await ingestEvents(live.url, token, [{ action: 'user.logout' }]);
    const db = new Database(home.dbFile, { readonly: true });
    try {
      for (let tries = 0; ; tries++) {
        const unsealed = db
          .prepare('SELECT count(*) FROM events WHERE seq NOT IN (SELECT event_seq FROM merkle_leaves)')
          .pluck()
          .get() as number;
        if (unsealed === 0) break;
        if (tries > 200) throw new Error(`${unsealed} events never sealed`);
        await new Promise((resolve) => setTimeout(resolve, 50));
      }
      const rows = db
        .prepare(
          'SELECT e.org_id, l.position FROM events e JOIN merkle_leaves l ON l.event_seq = e.seq ORDER BY e.seq',
        )
        .all() as { org_id: number; position: number }[];
      const next = new Map<number, number>();
      for (const [i, row] of rows.entries()) {
        expect(row.position, `event ${i}`).toBe(next.get(row.org_id) ?? 0);
        next.set(row.org_id, row.position + 1);
      }
    } finally {
      db.close();
    }
    const verify = () =>
      runCli(['verify', '--full'], {
        env: cliEnv(home.configDir, { AUDIT_SERVER: live.url, AUDIT_TOKEN: token, AUDIT_ORG: 'default' }),
      });
    const result = await verify();
    expect(result.code, `${result.stdout}\n${result.stderr}`).toBe(0);
  }, 120_000);
});
