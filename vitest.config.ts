// Vitest: unit and integration tests under tests/ (e2e runs in Playwright); `npm test` adds --coverage, gated per folder.
import { defineConfig } from 'vitest/config';

/**
 * Per-folder coverage floors (issue 10): the level measured on 2026-12-01
 * (in the comments, same order) rounded down a point or so for noise between runs.
 *
 * Raise them when coverage rises; never lower them to let a change through, since a drop means tests were lost.
 */
const COVERAGE_FLOORS = {
  // measured 87.2 / 77.0 / 87.9 / 89.5
  'src/agent/**': { statements: 86, branches: 76, functions: 87, lines: 88 },
  // measured 85.2 / 73.7 / 87.9 / 88.0
  'src/server/**': { statements: 84, branches: 72.5, functions: 86.5, lines: 87 },
  // measured 93.9 / 86.2 / 91.5 / 97.9
  'src/shared/**': { statements: 93, branches: 85, functions: 90.5, lines: 97 },
  // measured 61.1 / 70.5 / 59.2 / 60.3
  'src/main/**': { statements: 60, branches: 69, functions: 58, lines: 59 },
  // measured 70.8 / 77.1 / 67.4 / 69.6
  'src/renderer/**': { statements: 69.5, branches: 76, functions: 66, lines: 68.5 },
};

export default defineConfig({
  test: {
    include: ['tests/**/*.test.ts'],
    exclude: ['tests/e2e/**', 'node_modules/**'],
    testTimeout: 30_000,
    hookTimeout: 60_000,
    pool: 'forks',
    globalSetup: ['tests/support/build-global-setup.ts', 'tests/support/postgres-global-setup.ts'],
    coverage: {
      provider: 'v8',
      // Every source file counts, also one no test imports, so a test that goes missing shows as lost coverage.
      include: ['src/**/*.{ts,tsx}'],
      exclude: ['**/*.d.ts'],
      reporter: ['text-summary', 'json-summary', 'html'],
      reportsDirectory: 'coverage',
      // A run with a failing test still shows where coverage stands.
      reportOnFailure: true,
      thresholds: COVERAGE_FLOORS,
    },
  },
});
