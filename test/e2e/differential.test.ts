// azcp and the real AzCopy on the same tree and the same emulator: the same blobs (names,
// sizes, bytes, content types) going up, and the same files coming back down.
import { randomBytes } from "node:crypto";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  blobHashes,
  createContainer,
  localHashes,
  runAzcp,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";

const TREE: Record<string, Buffer | string> = {
  "readme.txt": "hello\n",
  empty: Buffer.alloc(0),
  "nested/a/b/deep.json": '{"deep":true}',
  "nested/page.html": "<html><body>hi</body></html>",
  "nested/data.csv": "a,b\n1,2\n",
  "with space/naïve ü file.txt": "unicode and spaces",
  "binary/noext": randomBytes(1000),
  "binary/random.bin": randomBytes(5000),
  "images/pic.png": Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    randomBytes(200),
  ]),
  "big/twenty-mib.dat": randomBytes(20 * 1024 * 1024),
};

async function stored(container: TestContainer) {
  const client = container.service.getContainerClient(container.name);
  const out: Record<string, { size: number; contentType: string | undefined }> = {};
  for await (const blob of client.listBlobsFlat()) {
    out[blob.name] = { size: blob.properties.contentLength ?? -1, contentType: blob.properties.contentType };
  }
  return out;
}

describe("differential: azcp against the real AzCopy", () => {
  it("uploads and downloads the same tree to the same result", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const byAzcopy = await createContainer();
    const byAzcp = await createContainer();

    const azcopyUp = await runAzcopy(
      ["copy", root, byAzcopy.sasUrl(), "--recursive", "--from-to", "LocalBlob"],
      home,
    );
    expect(azcopyUp.code, azcopyUp.stdout).toBe(0);
    const azcpUp = await runAzcp(["copy", root, byAzcp.sasUrl(), "--recursive"], home);
    expect(azcpUp.code, azcpUp.all).toBe(0);

    expect(await stored(byAzcp)).toEqual(await stored(byAzcopy));
    expect(await blobHashes(byAzcp)).toEqual(await blobHashes(byAzcopy));

    const downAzcopy = join(home, "down-azcopy");
    const downAzcp = join(home, "down-azcp");
    const azcopyDown = await runAzcopy(
      ["copy", byAzcopy.sasUrl(), downAzcopy, "--recursive", "--from-to", "BlobLocal"],
      home,
    );
    expect(azcopyDown.code, azcopyDown.stdout).toBe(0);
    const azcpDown = await runAzcp(["copy", byAzcp.sasUrl(), downAzcp, "--recursive"], home);
    expect(azcpDown.code, azcpDown.all).toBe(0);
    const fromAzcopy = await localHashes(join(downAzcopy, byAzcopy.name));
    const fromAzcp = await localHashes(join(downAzcp, byAzcp.name));
    expect(fromAzcp).toEqual(fromAzcopy);
    expect(Object.keys(fromAzcp)).toHaveLength(Object.keys(TREE).length);
  });
});
