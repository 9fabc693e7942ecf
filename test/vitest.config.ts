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
    // which then idles one core while a file waits on the processes and servers it spawned.
    maxWorkers: Math.max(2, availableParallelism() - 1),
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
