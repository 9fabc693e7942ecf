import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

/**
 * The API's contract suite on PostgreSQL (issue 23): these files drive the server only through
 * HTTP and the fixture (test/helpers/server-fixture.ts), so the same tests run a second time with
 * AUDIT_TEST_ENGINE=postgres, every fixture on a PostgreSQL database of its own. Only where a
 * cluster is given (AUDIT_TEST_DATABASE_URL; .ci/run starts one); without one, only SQLite runs.
 */
const POSTGRES_CONTRACT_FILES = [
  'test/server/client-stream-text.test.ts',
  'test/server/client.test.ts',
  'test/server/export-stream-client.test.ts',
  'test/server/export-stream-hostile.test.ts',
  'test/server/export-support.test.ts',
  'test/server/gdpr-export-stream.test.ts',
  'test/server/gdpr-learned-context.test.ts',
  'test/server/gdpr-poisoning.test.ts',
  'test/server/gdpr.test.ts',
  'test/server/list.test.ts',
  'test/server/logging.test.ts',
  'test/server/openapi-contract.test.ts',
  'test/server/pin-checkpoint.test.ts',
  'test/server/query-limits.test.ts',
  'test/server/request-limits.test.ts',
  'test/server/review-activity.test.ts',
  'test/server/review-hostile.test.ts',
  'test/server/review-logins.test.ts',
  'test/server/search-symbols.test.ts',
  'test/server/side-channels.test.ts',
  'test/server/stream-limits.test.ts',
  'test/server/stream.test.ts',
  'test/server/tree-api.test.ts',
  'test/server/tree-erasure.test.ts',
  'test/server/tree-leaf-fields.test.ts',
  'test/server/webhooks-formats.test.ts',
  'test/server/webhooks-ssrf.test.ts',
  'test/server/webhooks.test.ts',
];
const onPostgres = Boolean(process.env.AUDIT_TEST_DATABASE_URL);

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    projects: [
      { extends: true, test: { name: 'sqlite', include: ['test/**/*.test.ts'] } },
      ...(onPostgres
        ? [
            {
              extends: true as const,
              test: {
                name: 'postgres',
                include: POSTGRES_CONTRACT_FILES,
                env: { AUDIT_TEST_ENGINE: 'postgres' },
              },
            },
          ]
        : []),
    ],
    // End-to-end tests spawn the built CLI and real servers: give them room on a 2-core machine.
    testTimeout: 30_000,
    hookTimeout: 30_000,
    pool: 'forks',
    // Vitest's default is one worker less than the cores: a single worker on a 2-core machine,
    // which then idles while a file waits on the processes and servers it spawned. One more
    // worker than cores keeps both busy (2 cores: 2 workers 335 s, 3 workers 303 s).
    maxWorkers: availableParallelism() + 1,
    // A worker keeps its loaded modules from one test file to the next instead of importing
    // fastify, undici and the sources again for each file (import time 88 → 21 s of the suite).
    // Test files share no mutable module state: each builds its own servers and fixtures.
    isolate: false,
    // Test files and the sources they import, as transformed, are kept on disk
    // (node_modules/.experimental-vitest-cache, keyed by content): a repeated run does not
    // transform them again.
    experimental: { fsModuleCache: true },
    // The suite runs in a temp dir of its own that must be empty at the end; every test file's
    // tempDir() directories are removed after it.
    globalSetup: ['test/helpers/global-setup.ts'],
    setupFiles: ['test/helpers/setup-file.ts'],
    // .ci/run asks for a machine-readable report to print its closing count line.
    reporters: process.env.AUDIT_TEST_REPORT
      ? ['default', ['json', { outputFile: process.env.AUDIT_TEST_REPORT }]]
      : ['default'],
  },
});
