// An object of 2 GiB + 3 MiB, mostly zeros, with marks across the 2^31 boundary, copied to Blob
// by the service (the proxy's copy-from-URL shim): every cloud source's multi-GiB test.
import { createHash } from "node:crypto";
import { expect } from "vitest";
import { createContainer, proxyInFrontOfAzurite, runAzcp, testHome, viaProxy } from "./harness.js";

const MIB = 1024 * 1024;

export const SPARSE_SIZE = 2 * 1024 * MIB + 3 * MIB + 7;

/** Bytes written into the zeros, by offset: the start, across 2^31, and the end. */
export const SPARSE_MARKS: Record<number, Buffer> = {
  0: Buffer.from("start"),
  [2 ** 31 - 2]: Buffer.from("across 2^31"),
  [SPARSE_SIZE - 3]: Buffer.from("end"),
};

/** Copies `source` (a sparse object whose MD5 is `sourceMd5`) and checks the blob's MD5. */
export async function expectSparseCopiedByService(options: {
  source: string;
  fromTo: string;
  env: Record<string, string>;
  sourceMd5: string;
}): Promise<void> {
  const home = await testHome();
  const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
  try {
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", options.source, viaProxy(proxy, destination, "disk.img"), "--from-to", options.fromTo],
      home,
      { env: options.env, timeoutMs: 200_000 },
    );
    expect(result.code, result.all).toBe(0);
    const blob = destination.service.getContainerClient(destination.name).getBlobClient("disk.img");
    const hash = createHash("md5");
    for await (const chunk of (await blob.download()).readableStreamBody!) hash.update(chunk as Buffer);
    expect(hash.digest("hex")).toBe(options.sourceMd5);
  } finally {
    await proxy.close();
  }
}
