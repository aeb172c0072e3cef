// azcp as a library, the way an Azure SDK is used: `require("azcp")` works (CommonJS too), any
// @azure/core-auth TokenCredential signs in, and logs and plans go where the program says.
import { readdir } from "node:fs/promises";
import { createRequire } from "node:module";
import { join } from "node:path";
import { ClientSecretCredential } from "@azure/identity";
import { describe, expect, it } from "vitest";
import { createContainer, stack, testHome, uniqueTenant, writeTree } from "../support/harness.js";

type Library = typeof import("../../src/api.js");

describe("the library", () => {
  it("loads with require, signs in with a TokenCredential, and keeps logs and plans where told", async () => {
    const azcp = createRequire(import.meta.url)("azcp") as Library;
    expect(typeof azcp.copy).toBe("function");
    const info = stack();
    const credential = new ClientSecretCredential(uniqueTenant(), info.spn.clientId, info.spn.secret, {
      authorityHost: info.identityUrl,
      disableInstanceDiscovery: true,
    });
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a", "d/b.txt": "b" });
    const container = await createContainer();
    const where = { logLocation: join(home, "logs"), planLocation: join(home, "plans") };
    const options = { credential, trustedMicrosoftSuffixes: "127.0.0.1", ...where };
    const job = await azcp.copy(root, container.url, { ...options, recursive: true });
    const summary = await job.run();
    expect(summary.status).toBe("Completed");
    const listed: string[] = [];
    for await (const entry of azcp.list(container.url, options)) listed.push(entry.path);
    expect(listed.sort()).toEqual(["tree/a.txt", "tree/d/b.txt"]);
    expect((await readdir(where.logLocation)).some((name) => name.endsWith(".log"))).toBe(true);
    const plans = await azcp.jobs.list(where);
    expect(plans.map((plan) => plan.header.jobId)).toEqual([summary.jobId]);
  });
});
