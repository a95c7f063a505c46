import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    pool: 'forks',
    // Real servers start in tests: generous but bounded, ms.
    testTimeout: 30_000,
    hookTimeout: 30_000,
  },
});
