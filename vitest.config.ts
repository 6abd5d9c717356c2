import { defineConfig } from 'vitest/config';

// Unit tests (pure logic, captured fixtures) and lab tests (real director VM; skipped without root/Linux).
export default defineConfig({
  test: {
    include: ['test/unit/**/*.test.ts', 'test/lab/**/*.test.ts'],
    // A hang guard, not a speed check: in CI the unit files run beside the lab tests on 2 cores, and the differential
    // tests that start hundreds of real shells (director-update: 18 s alone, 26.8 s in CI) outran a 20 s limit.
    testTimeout: 120_000,
    hookTimeout: 600_000,
    pool: 'forks',
    fileParallelism: true,
  },
});
