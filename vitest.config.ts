import { defineConfig } from 'vitest/config';

// Unit tests (pure logic, captured fixtures) and lab tests (real director VM; skipped without root/Linux).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/lab/**/*.test.ts'],
    testTimeout: 20_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
