// Fills a database file with N events straight through the store (no HTTP), then seals them and
// signs a checkpoint, as `audit server start` would: a 1,000,000-event log in minutes rather than
// the hour an HTTP ingest takes on a loaded machine. Used by bench/verify-full.mjs --fill.
//   node bench/fill-db.mjs FILE N      (after npx tsc -p tsconfig.json)
// Prints one JSON line: {"token", "events", "recordSeconds", "sealSeconds"}.
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const DIST = join(fileURLToPath(new URL('..', import.meta.url)), 'dist');
const { openDatabase } = await import(join(DIST, 'store', 'database.js'));
const { buildApp } = await import(join(DIST, 'server', 'app.js'));
const { bootstrapIfEmpty } = await import(join(DIST, 'server', 'bootstrap.js'));

const [file, count] = [process.argv[2], Number(process.argv[3])];
const app = await buildApp({ db: openDatabase(file), checkpointIntervalMs: 1 });
const { services } = app;
const { token } = bootstrapIfEmpty(services);
const org = services.sqlite.directory.findOrganization('default');
const base = Date.now() - 86_400_000;
const started = performance.now();
for (let start = 0; start < count; start += 1000) {
  const batch = [];
  for (let i = start; i < Math.min(count, start + 1000); i++) {
    // The events bench/verify-full.mjs ingests over HTTP, with times a millisecond apart.
    batch.push({
      action: 'user.login',
      timestamp: new Date(base + i).toISOString(),
      actor: { id: `user_${i % 5000}`, email: `person${i % 5000}@example.com` },
      context: { ip_address: '203.0.113.7', user_agent: 'Mozilla/5.0' },
      metadata: { n: i },
    });
  }
  services.sqlite.recorder.record(org.id, batch);
}
const recorded = performance.now();
await new Promise((resolve) => setTimeout(resolve, 5));
await services.sealer.settle();
const sealed = performance.now();
await app.close();
console.log(
  JSON.stringify({
    token,
    events: count,
    recordSeconds: (recorded - started) / 1000,
    sealSeconds: (sealed - recorded) / 1000,
  }),
);
