// A plain http(s) URL as a source (--from-to HttpLocal / HttpBlob): downloaded byte-exact, and
// copied to Blob by the service itself from the URL.
import { randomBytes } from "node:crypto";
import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createContainer,
  md5,
  proxyInFrontOfAzurite,
  runAzcp,
  stack,
  testHome,
} from "../support/harness.js";

async function publicFile(name: string, data: Buffer): Promise<string> {
  const container = await createContainer();
  await container.service.getContainerClient(container.name).setAccessPolicy("blob");
  await container.upload(name, data);
  return `${container.url}/${encodeURIComponent(name)}`;
}

describe.concurrent("http(s) source", () => {
  it("downloads a file from a plain URL", async () => {
    const home = await testHome();
    const data = randomBytes(9 * 1024 * 1024 + 5);
    const url = await publicFile("big file.bin", data);
    const result = await runAzcp(["copy", url, join(home, "out.bin"), "--from-to", "HttpLocal"], home);
    expect(result.code, result.all).toBe(0);
    expect(md5(await readFile(join(home, "out.bin")))).toBe(md5(data));
  });

  it("has the storage service fetch the URL itself when copying to Blob", async () => {
    const home = await testHome();
    const data = randomBytes(300_000);
    const url = await publicFile("page.html", data);
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const destination = await createContainer();
      const target = `${proxy.origin}/${stack().accountName}/${destination.name}/copied.html?${destination.sasUrl().split("?")[1]}`;
      const result = await runAzcp(["copy", url, target, "--from-to", "HttpBlob"], home);
      expect(result.code, result.all).toBe(0);
      expect(await blobHashes(destination)).toEqual({ "copied.html": md5(data) });
      expect(proxy.log.find((entry) => entry.copyFromUrl)?.copyFromUrl?.source).toBe(url);
      expect(proxy.log.filter((entry) => entry.bytesIn > 0)).toEqual([]);
    } finally {
      await proxy.close();
    }
  });

  it("refuses to write to a plain URL", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("x.txt", "x");
    const result = await runAzcp(
      ["copy", container.sasUrl(), "https://127.0.0.1:1/site/x.txt", "--from-to", "BlobHttp", "--recursive"],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.all).toMatch(/can only be a source/);
  });
});
