import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    testTimeout: 60000,
    // PGlite start-up in a beforeAll takes over 10 s on a loaded CI machine (the default hook timeout is 10 s).
    hookTimeout: 120000,
  },
});
