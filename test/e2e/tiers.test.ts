// Page blob tiers, rehydrate priority and set-properties' --from-to, beside the real AzCopy: the
// proxy in front of Azurite records the tier headers each tool sends.
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  createContainer,
  createShare,
  filesSas,
  proxyInFrontOfAzurite,
  runAzcp,
  stack,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";
import type { StorageProxy } from "../support/storage-proxy.js";

let proxy: StorageProxy;
beforeAll(async () => {
  proxy = await proxyInFrontOfAzurite();
});
afterAll(() => proxy.close());

function viaProxy(container: TestContainer, path = ""): string {
  return `${proxy.origin}/${stack().accountName}/${container.name}${path}?${container.sasUrl().split("?")[1]}`;
}

async function containerOfEveryBlobType(): Promise<TestContainer> {
  const container = await createContainer();
  const client = container.service.getContainerClient(container.name);
  await container.upload("block.txt", "block");
  await client.getAppendBlobClient("append.log").create();
  await client.getPageBlobClient("disk.vhd").create(512);
  return container;
}

/** Blob name -> the tier headers of the Set Blob Tier requests sent for it. */
function tierRequests(container: TestContainer) {
  return Object.fromEntries(
    proxy.log
      .filter((entry) => entry.path.includes(`/${container.name}/`) && /comp=tier/.test(entry.query))
      .map((entry) => [entry.path.split(`/${container.name}/`)[1], entry.tier]),
  );
}

describe.concurrent("tiers and set-properties, beside AzCopy", () => {
  it("set-properties sends each blob type the tier its account can hold, with the rehydrate priority, as AzCopy does", async () => {
    const home = await testHome();
    for (const account of [
      {
        sku: "Standard_LRS",
        kind: "StorageV2",
        tiers: { "block.txt": { accessTier: "Cool", rehydratePriority: "High" } },
      },
      {
        sku: "Premium_LRS",
        kind: "StorageV2",
        tiers: { "disk.vhd": { accessTier: "P10", rehydratePriority: "High" } },
      },
    ]) {
      const sent: Record<string, unknown> = {};
      for (const tool of ["azcp", "azcopy"] as const) {
        const container = await containerOfEveryBlobType();
        proxy.rules.push({
          path: `/${container.name}(/|$)`,
          query: "restype=account",
          reply: { type: "account", sku: account.sku, kind: account.kind },
        });
        const args = [
          "set-properties",
          viaProxy(container),
          "--recursive",
          "--block-blob-tier",
          "Cool",
          "--page-blob-tier",
          "P10",
          "--rehydrate-priority",
          "High",
          "--from-to",
          "BlobNone",
        ];
        const result = tool === "azcp" ? await runAzcp(args, home) : await runAzcopy(args, home);
        sent[tool] = { code: result.code, tiers: tierRequests(container) };
      }
      expect(sent.azcp, account.sku).toEqual(sent.azcopy);
      expect((sent.azcp as { tiers: unknown }).tiers, account.sku).toEqual(account.tiers);
    }
  });

  it("copy --page-blob-tier gives uploaded page blobs the tier where the account can hold it, as AzCopy does", async () => {
    const home = await testHome();
    const source = await writeTree(join(home, "src"), {
      "disk.vhd": Buffer.alloc(1024, 1),
      "notes.txt": "n",
    });
    for (const account of [
      { sku: "Premium_LRS", kind: "StorageV2", tiers: { "disk.vhd": "P20" } },
      { sku: "Standard_LRS", kind: "StorageV2", tiers: {} },
    ]) {
      const sent: Record<string, unknown> = {};
      for (const tool of ["azcp", "azcopy"] as const) {
        const container = await createContainer();
        proxy.rules.push({
          path: `/${container.name}(/|$)`,
          query: "restype=account",
          reply: { type: "account", sku: account.sku, kind: account.kind },
        });
        const args = [
          "copy",
          source,
          viaProxy(container),
          "--recursive",
          "--page-blob-tier",
          "P20",
          "--from-to",
          "LocalBlob",
        ];
        const result = tool === "azcp" ? await runAzcp(args, home) : await runAzcopy(args, home);
        const tiers = Object.fromEntries(
          proxy.log
            .filter(
              (entry) => entry.method === "PUT" && entry.path.includes(`/${container.name}/`) && entry.tier,
            )
            .map((entry) => [decodeURIComponent(entry.path).split("/").at(-1), entry.tier?.accessTier]),
        );
        sent[tool] = { code: result.code, tiers };
        if (account.sku.startsWith("Standard") && tool === "azcp")
          expect(result.stdout).toContain("Destination could not accommodate the tier P20");
      }
      expect(sent.azcp, account.sku).toEqual(sent.azcopy);
      expect((sent.azcp as { tiers: unknown }).tiers, account.sku).toEqual(account.tiers);
    }
    const wrong = await runAzcp(
      ["copy", source, "https://127.0.0.1:1/a/c", "--recursive", "--page-blob-tier", "P99"],
      home,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toContain("P4, P6, P10");
  });

  it("set-properties --from-to FileNone replaces a file's metadata, and refuses tiers and tags with AzCopy's words", async () => {
    const home = await testHome();
    const share = await createShare();
    await share.client.rootDirectoryClient.getFileClient("doc.txt").uploadData(Buffer.from("doc"));
    const url = `${share.url}/doc.txt?${filesSas()}`;
    const result = await runAzcp(
      ["set-properties", url, "--metadata", "team=blue", "--from-to", "FileNone"],
      home,
    );
    expect(result.code, result.all).toBe(0);
    const properties = await share.client.rootDirectoryClient.getFileClient("doc.txt").getProperties();
    expect(properties.metadata).toEqual({ team: "blue" });
    for (const [flag, value, words] of [
      ["--block-blob-tier", "Cool", "changing tier is not available for File Storage"],
      ["--blob-tags", "a=b", "blob tags are not available for File Storage"],
    ] as const) {
      const azcp = await runAzcp(["set-properties", url, flag, value, "--from-to", "FileNone"], home);
      expect(azcp.code).toBe(1);
      expect(azcp.stderr).toContain(words);
      const azcopy = await runAzcopy(["set-properties", url, flag, value, "--from-to", "FileNone"], home);
      expect(azcopy.stdout).toContain(words);
    }
  });
});
