// A listing reads the next page while it uses this one: a page that fails after others were
// used still ends the command with the service's error and a non-zero exit, never a crash or a
// silent success, and a one-page look (the access check) asks for one page only.
import { describe, expect, it } from "vitest";
import { runAzcp, testHome } from "../support/harness.js";
import { startSyntheticBlobServer } from "../support/synthetic-blob-server.js";

const OBJECTS = 12_000;

describe("listing pages", () => {
  it("a refused second page fails copy, sync and list with the service's reason", async () => {
    const { url, server } = await startSyntheticBlobServer(OBJECTS, { refuseLaterPages: true });
    const source = `${url}?sv=2025-01-05&sig=synthetic`;
    const home = await testHome();
    try {
      const runs = [
        ["copy", source, `${home}/down`, "--recursive", "--dry-run"],
        ["sync", source, `${home}/down`, "--dry-run"],
        ["list", source],
      ];
      for (const args of runs) {
        const result = await runAzcp(args, home, { timeoutMs: 120_000 });
        const all = result.stdout + result.stderr;
        expect(result.code, `${args[0]}: ${all.slice(-2000)}`).not.toBe(0);
        expect(all, args[0]).toContain("AuthorizationPermissionMismatch");
        expect(all, args[0]).not.toMatch(/Unhandled|TypeError|at async/);
      }
    } finally {
      server.close();
    }
  });

  it("the same listing without the refusal is whole: every object once, in order", async () => {
    const { url, server } = await startSyntheticBlobServer(OBJECTS);
    const home = await testHome();
    try {
      const result = await runAzcp(["list", `${url}?sv=2025-01-05&sig=synthetic`], home, {
        timeoutMs: 120_000,
      });
      expect(result.code).toBe(0);
      const names = result.stdout
        .split("\n")
        .filter((line) => line.startsWith("d"))
        .map((line) => line.slice(0, line.indexOf(";")));
      expect(names).toHaveLength(OBJECTS);
      expect(new Set(names).size).toBe(OBJECTS);
      expect([...names].sort()).toEqual(names);
    } finally {
      server.close();
    }
  });
});
