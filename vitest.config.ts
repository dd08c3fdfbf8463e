import { defineConfig } from 'vitest/config';

// CI asks for a machine-readable report too (.ci/run prints its counts as the closing line).
const jsonReport = process.env['VITEST_JSON_REPORT'];

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
    reporters: jsonReport ? ['default', ['json', { outputFile: jsonReport }]] : ['default'],
  },
});
