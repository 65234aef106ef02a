import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60000,
    // PGlite start-up in a beforeAll takes over 10 s on a loaded CI machine (the default hook timeout is 10 s).
    hookTimeout: 120000,
    // The engine's catch-alls keep ESLint alive in production; under test they rethrow, so a check that throws
    // fails its test instead of looking like "no finding".
    env: { SOFT_DELETE_STRICT: '1' },
  },
});
