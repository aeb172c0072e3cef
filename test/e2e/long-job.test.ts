// A job that outlives its tokens: a 60-second upload (held back by --cap-mbps) with 15-second
// tokens, while the identity endpoint fails twice in the middle. The job must finish with every
// byte intact, refreshing ahead of expiry with a bounded number of token requests.
import { randomBytes } from "node:crypto";
import { writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createContainer,
  emulator,
  hashesOf,
  runAzcp,
  spnEnv,
  testHome,
  uniqueTenant,
} from "../support/harness.js";

describe("long jobs", () => {
  it("a 60-second upload with 15-second tokens completes through two failed refreshes", {
    timeout: 150_000,
  }, async () => {
    const home = await testHome();
    const tenant = uniqueTenant();
    await emulator.setTokenLifetime({ tenant }, 15);
    const files: Record<string, Buffer> = {};
    // 7.5 MB at 1 Mbit/s takes about 60 s, in 15 files so that requests keep coming all along.
    for (let i = 0; i < 15; i++) files[`part-${String(i).padStart(2, "0")}.bin`] = randomBytes(500_000);
    for (const [name, data] of Object.entries(files)) await writeFile(join(home, name), data);
    const container = await createContainer();
    const started = Date.now();
    const job = runAzcp(
      [
        "copy",
        `${home}/part-*`,
        container.url,
        "--cap-mbps",
        "1",
        "--trusted-microsoft-suffixes",
        "127.0.0.1",
        "--output-level",
        "essential",
      ],
      home,
      { env: { ...spnEnv(tenant), AZCOPY_CONCURRENCY_VALUE: "4" }, timeoutMs: 140_000 },
    );
    // Once the first token is out, make the next two token requests fail.
    await new Promise((resolve) => setTimeout(resolve, 3000));
    await emulator.addFault({ match: { tenant, kind: "token" }, type: "http500", remaining: 2 });
    const result = await job;
    const elapsed = (Date.now() - started) / 1000;
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(result.stdout).toContain("Final Job Status: Completed");
    expect(elapsed).toBeGreaterThan(45);
    expect(await blobHashes(container)).toEqual(hashesOf(files));

    const tokens = await emulator.requests({ tenant, kind: "token" });
    const failed = tokens.filter((request) => request.status === 500);
    const issued = tokens.filter((request) => request.status === 200);
    expect(failed).toHaveLength(2);
    // About one token per half-life (7.5 s) over the job, never a storm.
    expect(issued.length).toBeGreaterThanOrEqual(Math.floor(elapsed / 15));
    expect(issued.length).toBeLessThanOrEqual(Math.ceil(elapsed / 7.5) + 3);
    process.stdout.write(
      `long job: ${elapsed.toFixed(0)} s, ${issued.length} tokens issued, ${failed.length} failed refreshes\n`,
    );
  });
});
