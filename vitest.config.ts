import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // No test reaches past loopback: sockets aimed elsewhere fail before they connect.
    setupFiles: ["test/setup.ts"],
    testTimeout: 60_000,
    hookTimeout: 120_000,
    // Tests that spawn npm/tsc are heavy on a 2-core machine.
    maxWorkers: 2,
    // The reliability tests measure heap after forced collections.
    execArgv: ["--expose-gc"],
  },
});
