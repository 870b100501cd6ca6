import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vitest/config';

export default defineConfig({
  resolve: {
    // Node resolves `graphql` to its CommonJS build (package "main"); Vite would pick the
    // ESM build ("module"). Two copies of graphql in one process break its instanceof
    // checks, so tests use the same build the server uses in production.
    alias: [{ find: /^graphql$/, replacement: fileURLToPath(new URL('./node_modules/graphql/index.js', import.meta.url)) }],
  },
  test: {
    include: ['**/*.test.ts'],
    exclude: ['node_modules/**', '.data/**'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Integration suites share one Postgres server; files run one at a time so their
    // timings and connection counts stay predictable on a 2-core machine.
    fileParallelism: false,
    // Every refused client request is logged at info; suites that read the log capture it
    // themselves (test/support/captureLog.ts), so the run's output keeps warnings and up.
    env: { LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' },
  },
});
