import { defineConfig } from "vitest/config";

// Two projects: "unit" (src/, no servers) and "e2e" (test/, against one local Azure stack that
// the global set-up starts once per run). `npm test` runs both; `vitest --project unit` is fast.
export default defineConfig({
  test: {
    pool: "forks",
    // Most end-to-end tests wait on child processes and servers, not on the CPU.
    maxWorkers: 4,
    testTimeout: 60_000,
    hookTimeout: 60_000,
    reporters: ["default"],
    projects: [
      { extends: true, test: { name: "unit", include: ["src/**/*.test.ts"] } },
      {
        extends: true,
        test: { name: "e2e", include: ["test/**/*.test.ts"], globalSetup: ["test/support/global-setup.ts"] },
      },
    ],
  },
});
