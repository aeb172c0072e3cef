// Jobs that are killed (kill -9) at different moments resume to a complete, byte-exact copy;
// a large file killed halfway sends well under all its bytes again (blocks already staged are
// kept). Plans never hold a SAS, so resume takes it again.
import { spawn } from "node:child_process";
import { randomBytes } from "node:crypto";
import { existsSync, readdirSync } from "node:fs";
import { readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AZCP_BIN,
  baseEnv,
  blobHashes,
  createContainer,
  hashesOf,
  md5,
  parseJsonLines,
  proxyInFrontOfAzurite,
  runAzcp,
  stack,
  testHome,
  writeTree,
} from "../support/harness.js";
import type { StorageProxy } from "../support/storage-proxy.js";

let proxy: StorageProxy;
beforeAll(async () => {
  proxy = await proxyInFrontOfAzurite();
});
afterAll(async () => {
  await proxy.close();
});

/** Start azcp and kill -9 it once `until` says so (checked every 50 ms). */
async function runAndKill(
  args: string[],
  home: string,
  until: () => boolean,
  limitMs = 60_000,
): Promise<void> {
  const child = spawn(process.execPath, [AZCP_BIN, ...args], { env: baseEnv(home), stdio: "ignore" });
  const started = Date.now();
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (until() || Date.now() - started > limitMs || child.exitCode !== null) {
        clearInterval(timer);
        child.kill("SIGKILL");
        resolve();
      }
    }, 50);
  });
  await new Promise((resolve) =>
    child.exitCode !== null || child.signalCode !== null ? resolve(undefined) : child.once("exit", resolve),
  );
}

function planExists(home: string): boolean {
  const folder = join(home, ".azcopy", "plans");
  return existsSync(folder) && readdirSync(folder).some((name) => name.endsWith(".plan"));
}

async function onlyJobId(home: string): Promise<string> {
  const list = await runAzcp(["jobs", "list", "--output-type", "json"], home);
  const [info] = parseJsonLines(list.stdout);
  const jobs = JSON.parse(info!.MessageContent).JobIDDetails as { JobId: string; JobStatus: string }[];
  expect(jobs).toHaveLength(1);
  return jobs[0]!.JobId;
}

/** Bytes of the requests the service accepted (blocks staged), as opposed to bytes merely sent. */
function bytesStagedIn(container: string): number {
  return proxy.log
    .filter((entry) => entry.path.includes(`/${container}/`) && entry.status === 201)
    .reduce((sum, entry) => sum + entry.bytesIn, 0);
}

function bytesTo(container: string): number {
  return proxy.log
    .filter((entry) => entry.path.includes(`/${container}/`))
    .reduce((sum, entry) => sum + entry.bytesIn, 0);
}

describe("resume after kill -9", () => {
  it("a 200 MiB upload killed halfway resends under 60% of its bytes and ends byte-exact", {
    timeout: 120_000,
  }, async () => {
    const home = await testHome();
    const data = randomBytes(200 * 1024 * 1024);
    await writeFile(join(home, "big.bin"), data);
    const container = await createContainer();
    const sas = container.sasUrl().split("?")[1]!;
    const target = `${proxy.origin}/${stack().accountName}/${container.name}/big.bin`;
    const half = 100 * 1024 * 1024;
    // Halfway: when the service holds half the file in staged blocks (more is on the wire, and lost).
    await runAndKill(
      ["copy", join(home, "big.bin"), `${target}?${sas}`, "--cap-mbps", "400"],
      home,
      () => bytesStagedIn(container.name) >= half,
    );
    const before = bytesTo(container.name);
    expect(before).toBeGreaterThanOrEqual(half);
    expect(bytesStagedIn(container.name)).toBeLessThan(data.length);

    const id = await onlyJobId(home);
    const resumed = await runAzcp(["jobs", "resume", id, "--destination-sas", sas], home, {
      timeoutMs: 90_000,
    });
    expect(resumed.code, resumed.all).toBe(0);
    const resent = bytesTo(container.name) - before;
    process.stdout.write(
      `resume: ${(before / 2 ** 20).toFixed(0)} MiB before the kill, ${(resent / 2 ** 20).toFixed(0)} MiB sent on resume\n`,
    );
    expect(resent).toBeLessThan(0.6 * data.length);
    expect(await blobHashes(container)).toEqual({ "big.bin": md5(data) });
    const show = await runAzcp(["jobs", "show", id], home);
    expect(show.stdout).toContain("Final Job Status: Completed");
  });

  it("a tree killed between files and one killed while listing both resume to every byte", {
    timeout: 120_000,
  }, async () => {
    // Killed as soon as the plan exists (the listing has barely begun), and 2.5 s in (between files).
    for (const killAfterMs of [0, 2500]) {
      const home = await testHome();
      const files: Record<string, Buffer> = {};
      for (let i = 0; i < 300; i++) files[`d${i % 7}/f${i}.bin`] = randomBytes(i % 10 === 0 ? 400_000 : 2000);
      const root = await writeTree(join(home, "tree"), files);
      const container = await createContainer();
      const sas = container.sasUrl().split("?")[1]!;
      const started = Date.now();
      await runAndKill(
        ["copy", root, `${container.url}?${sas}`, "--recursive", "--as-subdir=false", "--cap-mbps", "20"],
        home,
        () => planExists(home) && Date.now() - started > killAfterMs,
      );
      expect(Object.keys(await blobHashes(container)).length).toBeLessThan(300);
      const id = await onlyJobId(home);
      const resumed = await runAzcp(["jobs", "resume", id, "--destination-sas", sas], home, {
        timeoutMs: 90_000,
      });
      expect(resumed.code, resumed.all).toBe(0);
      expect(await blobHashes(container)).toEqual(hashesOf(files));
    }
  });

  it("plans never hold a SAS, and jobs clean removes plans and logs", async () => {
    const home = await testHome();
    await writeFile(join(home, "a.txt"), "a");
    const container = await createContainer();
    const url = container.sasUrl();
    expect((await runAzcp(["copy", join(home, "a.txt"), url], home)).code).toBe(0);
    const id = await onlyJobId(home);
    const plan = await readFile(join(home, ".azcopy", "plans", `${id}.plan`), "utf8");
    expect(plan).not.toContain("sig=");
    expect(plan).not.toContain(url.split("sig=")[1]!);
    // AzCopy's wording for one job's transfers, for cleaning, and for an unknown job.
    const show = await runAzcp(["jobs", "show", id, "--with-status", "Success"], home);
    expect(show.stdout).toContain(`----------- Transfers for JobId ${id} -----------`);
    expect(show.stdout).toMatch(/transfer--> source: .*\/a\.txt destination: .*\/a\.txt status Success/);
    const unknown = await runAzcp(["jobs", "remove", "0a1b2c3d-0000-4000-8000-000000000000"], home);
    expect(unknown.code).toBe(1);
    expect(unknown.all).toContain("cannot find any log or job plan file with the specified ID");
    const kept = await runAzcp(["jobs", "clean", "--with-status", "failed"], home);
    expect(kept.stdout).toContain("Successfully removed jobs with status: Failed.");
    expect((await runAzcp(["jobs", "clean"], home)).stdout).toContain("Successfully removed all jobs.");
    const list = await runAzcp(["jobs", "list", "--output-type", "json"], home);
    expect(JSON.parse(parseJsonLines(list.stdout)[0]!.MessageContent).JobIDDetails).toEqual([]);
  });
});
