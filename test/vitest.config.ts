import { availableParallelism } from 'node:os';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: fileURLToPath(new URL('..', import.meta.url)),
    include: ['test/**/*.test.ts'],
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
