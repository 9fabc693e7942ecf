import { afterAll } from 'vitest';
import { removeTempDirs } from './temp-dir.js';

// Registered first, so it runs after every other afterAll of the file (hooks unwind as a stack):
// the servers a file started are stopped before their directories go.
afterAll(removeTempDirs);
