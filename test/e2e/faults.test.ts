// Faults between azcp and the service: every fault ends in a job whose bytes are all verified,
// or in a clear failure with nothing half-written under a final name. The proxy logs what it
// did, so each test also checks that the fault really happened.
import { randomBytes } from "node:crypto";
import { readdir, readFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  AZCP_BIN,
  blobHashes,
  createContainer,
  hashesOf,
  localHashes,
  md5,
  proxyInFrontOfAzurite,
  runAzcp,
  runProcess,
  stack,
  testHome,
  writeTree,
} from "../support/harness.js";
import { type ProxyRule, type StorageProxy, serviceError } from "../support/storage-proxy.js";

let proxy: StorageProxy;
beforeAll(async () => {
  proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
});
afterAll(async () => {
  await proxy.close();
});

const FAST_RETRIES = { AZCP_RETRY_DELAY_MS: "50" };

async function proxiedContainer(rules: Omit<ProxyRule, "path">[] = []) {
  const container = await createContainer();
  for (const rule of rules) proxy.rules.push({ ...rule, path: `/${container.name}/` } as ProxyRule);
  const sas = container.sasUrl().split("?")[1]!;
  return {
    container,
    sas,
    url: (path = "") =>
      `${proxy.origin}/${stack().accountName}/${container.name}${path ? `/${path}` : ""}?${sas}`,
  };
}

function faultsOn(container: string) {
  return proxy.log
    .filter((entry) => entry.path.includes(`/${container}/`) && entry.fault)
    .map((entry) => entry.fault);
}

const TREE = {
  "small.txt": "small",
  "mid.bin": randomBytes(300_000),
  "big.bin": randomBytes(20 * 1024 * 1024 + 11),
};

describe.concurrent("faults on upload", () => {
  const classes: [string, Omit<ProxyRule, "path">][] = [
    ["a reset mid-request", { methods: ["PUT"], count: 3, reply: { type: "reset", when: "request" } }],
    [
      "503 ServerBusy with Retry-After",
      { methods: ["PUT"], count: 2, reply: { ...serviceError(503, "ServerBusy"), retryAfter: "1" } },
    ],
    ["500 OperationTimedOut", { methods: ["PUT"], count: 2, reply: serviceError(500, "OperationTimedOut") }],
    ["429 Too Many Requests", { methods: ["PUT"], count: 2, reply: serviceError(429, "TooManyRequests") }],
    ["a stalled request", { methods: ["PUT"], count: 1, reply: { type: "stall", ms: 2000 } }],
  ];
  for (const [name, rule] of classes) {
    it(`survives ${name}`, async () => {
      const home = await testHome();
      const root = await writeTree(join(home, "src"), TREE);
      const { container, url } = await proxiedContainer([rule]);
      const started = Date.now();
      const result = await runAzcp(["copy", `${root}/*`, url()], home, { env: FAST_RETRIES });
      expect(result.code, result.all).toBe(0);
      expect(await blobHashes(container)).toEqual(hashesOf(TREE));
      expect(faultsOn(container.name).length).toBeGreaterThan(0);
      if (rule.reply.type === "error" && "retryAfter" in rule.reply) {
        // Retry-After (1 s) is honoured, not the 50 ms backoff.
        expect(Date.now() - started).toBeGreaterThan(1000);
        const log = await readFile(
          join(home, ".azcopy", (await readdir(join(home, ".azcopy"))).find((f) => f.endsWith(".log"))!),
          "utf8",
        );
        expect(log).toMatch(/Retry 1 of PUT .* in 1000 ms: 503 ServerBusy/);
      }
    });
  }
});

describe.concurrent("faults on download", () => {
  const classes: [string, Omit<ProxyRule, "path">][] = [
    [
      "a reset halfway through the body",
      { methods: ["GET"], query: "^sv=", count: 2, reply: { type: "reset", when: "response" } },
    ],
    [
      "a truncated body",
      { methods: ["GET"], query: "^sv=", count: 2, reply: { type: "truncate", fraction: 0.4 } },
    ],
    [
      "a dripping body",
      { methods: ["GET"], query: "^sv=", count: 1, reply: { type: "drip", bytesPerSecond: 2_000_000 } },
    ],
    [
      "503 with Retry-After",
      {
        methods: ["GET"],
        query: "^sv=",
        count: 2,
        reply: { ...serviceError(503, "ServerBusy"), retryAfter: "1" },
      },
    ],
  ];
  for (const [name, rule] of classes) {
    it(`survives ${name}`, async () => {
      const home = await testHome();
      const { container, url } = await proxiedContainer();
      for (const [file, data] of Object.entries(TREE)) await container.upload(file, data);
      proxy.rules.push({ ...rule, path: `/${container.name}/` } as ProxyRule);
      const target = join(home, "dst");
      const result = await runAzcp(["copy", url(), target, "--recursive", "--as-subdir=false"], home, {
        env: FAST_RETRIES,
      });
      expect(result.code, result.all).toBe(0);
      expect(await localHashes(target)).toEqual(hashesOf(TREE));
      expect(faultsOn(container.name).length).toBeGreaterThan(0);
    });
  }

  it("detects flipped bytes by MD5: retried, never kept as good", async () => {
    const home = await testHome();
    const { container, url } = await proxiedContainer();
    const data = randomBytes(200_000);
    await container.upload("checked.bin", data);
    proxy.rules.push({ path: `/${container.name}/`, methods: ["GET"], count: 1, reply: { type: "flip" } });
    const result = await runAzcp(["copy", url("checked.bin"), join(home, "checked.bin")], home, {
      env: FAST_RETRIES,
    });
    expect(result.code, result.all).toBe(0);
    expect(md5(await readFile(join(home, "checked.bin")))).toBe(md5(data));
    expect(faultsOn(container.name)).toEqual(["flip"]);

    // When every read is corrupted, the transfer fails and nothing is left under the name.
    proxy.rules.push({ path: `/${container.name}/`, methods: ["GET"], reply: { type: "flip" } });
    const failed = await runAzcp(["copy", url("checked.bin"), join(home, "again.bin")], home, {
      env: FAST_RETRIES,
    });
    expect(failed.code).toBe(1);
    expect(failed.stderr).toMatch(/does not match its MD5/);
    expect((await readdir(home)).filter((name) => name.includes("again"))).toEqual([]);
  });

  it("a service that keeps failing ends in a clear failure and no file under the final name", async () => {
    const home = await testHome();
    const { container, url } = await proxiedContainer();
    await container.upload("never.bin", randomBytes(50_000));
    proxy.rules.push({
      path: `/${container.name}/never`,
      methods: ["GET"],
      reply: serviceError(500, "InternalError"),
    });
    const result = await runAzcp(["copy", url("never.bin"), join(home, "never.bin")], home, {
      env: { ...FAST_RETRIES, AZCP_MAX_TRIES: "3" },
    });
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/500 InternalError/);
    expect((await readdir(home)).filter((name) => name.includes("never"))).toEqual([]);
  });

  // In one piece (the file fits one request), and streamed to the file in 1 MiB ranges.
  for (const blockSize of [[], ["--block-size-mb", "1"]]) {
    it(`a full disk (file size limit) gives a clear error and leaves no partial file ${blockSize.join(" ")}`, async () => {
      const home = await testHome();
      const container = await createContainer();
      await container.upload("large.bin", randomBytes(3 * 1024 * 1024));
      const [base, sas] = container.sasUrl().split("?");
      // Ignore SIGXFSZ so that writing past the limit fails with EFBIG, as a full disk fails.
      const result = await runProcess(
        "bash",
        [
          "-c",
          `trap '' XFSZ; ulimit -f 1024; exec node "${AZCP_BIN}" copy "${base}/large.bin?${sas}" "${home}/large.bin" ${blockSize.join(" ")}`,
        ],
        home,
      );
      expect(result.code).toBe(1);
      expect(result.all).toMatch(/larger than this system allows \(EFBIG\)|the disk is full/);
      expect((await readdir(home)).filter((name) => name.includes("large"))).toEqual([]);
    });
  }
});

describe.concurrent("faults on Blob-to-Blob copies", () => {
  it("survives resets and 503s on Put Block From URL", async () => {
    const home = await testHome();
    const source = await createContainer();
    for (const [file, data] of Object.entries(TREE)) await source.upload(file, data);
    const { container, url } = await proxiedContainer([
      { methods: ["PUT"], count: 2, reply: { type: "reset", when: "request" } },
      { methods: ["PUT"], count: 2, reply: { ...serviceError(503, "ServerBusy"), retryAfter: "1" } },
    ]);
    const result = await runAzcp(["copy", source.sasUrl(), url(), "--recursive", "--as-subdir=false"], home, {
      env: FAST_RETRIES,
    });
    expect(result.code, result.all).toBe(0);
    expect(await blobHashes(container)).toEqual(hashesOf(TREE));
    expect(faultsOn(container.name).sort()).toEqual(["error", "error", "reset", "reset"]);
  });
});
