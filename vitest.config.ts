import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['src/**/*.test.ts', 'test/**/*.test.ts'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    // Two cores: more forks only add contention.
    maxWorkers: 2,
    reporters: ['default'],
    globalSetup: ['test/helpers/global-setup.ts'],
  },
});
