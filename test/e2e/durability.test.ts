import Database from 'better-sqlite3';
import { describe, expect, it } from 'vitest';
import { createUlidFactory } from '../../src/domain/ulid.js';
import { cliEnv, startServerProcess, tempHome } from '../helpers/cli.js';

const ROUNDS = 3;
const CLIENTS = 4;
const BATCH = 50;

describe('durability: SIGKILL during concurrent ingest', () => {
  it(`keeps every acknowledged event across ${ROUNDS} kills`, async () => {
    const home = tempHome();
    const env = cliEnv(home.configDir);
    const nextId = createUlidFactory();
    const acknowledged = new Set<string>();
    let token: string | undefined;

    for (let round = 0; round < ROUNDS; round++) {
      const server = await startServerProcess(['--db', home.dbFile], env);
      token ??= server.token;
      const url = `${server.url}/api/v1/organizations/default/audit-logs`;
      let stopped = false;
      const client = async () => {
        while (!stopped) {
          const events = Array.from({ length: BATCH }, () => ({
            id: `log_${nextId()}`,
            action: 'user.login',
          }));
          try {
            const response = await fetch(url, {
              method: 'POST',
              headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
              body: JSON.stringify({ events }),
            });
            // Only a 201 is an acknowledgement; anything else (or a dropped connection) is not.
            if (response.status === 201) for (const event of events) acknowledged.add(event.id);
          } catch {
            return;
          }
        }
      };
      const clients = Array.from({ length: CLIENTS }, client);
      await new Promise((resolve) => setTimeout(resolve, 300 + Math.random() * 700));
      const exited = server.stop('SIGKILL');
      stopped = true;
      await Promise.all(clients);
      await exited;
    }

    expect(acknowledged.size).toBeGreaterThan(0);
    const db = new Database(home.dbFile);
    try {
      expect(db.pragma('integrity_check', { simple: true })).toBe('ok');
      const stored = new Set(db.prepare('SELECT id FROM events').pluck().all() as string[]);
      const lost = [...acknowledged].filter((id) => !stored.has(id));
      expect(lost).toEqual([]);
    } finally {
      db.close();
    }
  });
});
