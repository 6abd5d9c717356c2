import { defineConfig } from 'vitest/config';

// Browser e2e (`npm run test:e2e`): Chromium against the web host, one file at a time (2 shared cores).
export default defineConfig({
  test: {
    include: ['test/e2e/**/*.e2e.ts'],
    testTimeout: 120_000,
    hookTimeout: 120_000,
    fileParallelism: false,
    pool: 'forks',
  },
});
