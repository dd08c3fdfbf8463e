import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: [
      'src/**/*.test.ts',
      'emulator/**/*.test.ts',
      'proxy/**/*.test.ts',
      'test/**/*.test.ts',
    ],
    environment: 'node',
    testTimeout: 30_000,
    hookTimeout: 60_000,
    allowOnly: false,
    expect: { requireAssertions: true },
    pool: 'forks',
  },
});
