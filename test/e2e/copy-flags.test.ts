// The effect of copy's flags on what the service stores: block sizes, blob types, properties,
// tags, tiers, MD5s, times, pipes; and server-side copies between Blob locations.
import { randomBytes } from "node:crypto";
import { readFile, stat, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import {
  AZCP_BIN,
  blobHashes,
  createContainer,
  md5,
  proxyInFrontOfAzurite,
  runAzcp,
  runProcess,
  spnEnv,
  stack,
  testHome,
  uniqueTenant,
  writeTree,
} from "../support/harness.js";
import type { StorageProxy } from "../support/storage-proxy.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

describe.concurrent("copy flags", () => {
  it("--block-size-mb 0.25 uploads 262144-byte blocks; a file within --put-blob-size-mb goes in one request", async () => {
    const home = await testHome();
    const data = randomBytes(1_000_000);
    await writeFile(join(home, "blocks.bin"), data);
    await writeFile(join(home, "single.bin"), data);
    const container = await createContainer();
    const [base, sas] = container.sasUrl().split("?");
    expect(
      (
        await runAzcp(
          ["copy", join(home, "blocks.bin"), `${base}/blocks.bin?${sas}`, "--block-size-mb", "0.25"],
          home,
        )
      ).code,
    ).toBe(0);
    expect(
      (
        await runAzcp(
          ["copy", join(home, "single.bin"), `${base}/single.bin?${sas}`, "--put-blob-size-mb", "2"],
          home,
        )
      ).code,
    ).toBe(0);
    const client = container.service.getContainerClient(container.name);
    const blocks = await client.getBlockBlobClient("blocks.bin").getBlockList("committed");
    expect(blocks.committedBlocks?.map((block) => block.size)).toEqual([
      262144,
      262144,
      262144,
      1_000_000 - 3 * 262144,
    ]);
    const single = await client.getBlockBlobClient("single.bin").getBlockList("committed");
    expect(single.committedBlocks ?? []).toEqual([]);
    expect(await blobHashes(container)).toEqual({ "blocks.bin": md5(data), "single.bin": md5(data) });
  });

  it("rejects block sizes that are negative or not a whole number of bytes", async () => {
    const home = await testHome();
    await writeFile(join(home, "f"), "x");
    const container = await createContainer();
    const negative = await runAzcp(
      ["copy", join(home, "f"), container.sasUrl(), "--block-size-mb", "-1"],
      home,
    );
    expect(negative.code).toBe(1);
    expect(negative.stderr).toMatch(/--block-size-mb "-1" is not a positive number of MiB/);
    const fraction = await runAzcp(
      ["copy", join(home, "f"), container.sasUrl(), "--block-size-mb", "0.1"],
      home,
    );
    expect(fraction.code).toBe(1);
    expect(fraction.stderr).toMatch(/not a whole number of bytes/);
  });

  it("sets metadata, content headers, tags and tier, and guesses MIME types as AzCopy does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "d"), {
      "page.html": "<p>x</p>",
      noext: "plain words",
      bin: randomBytes(100),
    });
    const container = await createContainer();
    const result = await runAzcp(
      [
        "copy",
        `${root}/*`,
        container.sasUrl("racwdlt"),
        "--metadata",
        "project=alpha;owner=me",
        "--blob-tags",
        "team=data&env=test",
        "--block-blob-tier",
        "Cool",
        "--content-language",
        "en",
      ],
      home,
    );
    expect(result.code).toBe(0);
    const client = container.service.getContainerClient(container.name);
    const types: Record<string, string | undefined> = {};
    for (const name of ["page.html", "noext", "bin"]) {
      const properties = await client.getBlobClient(name).getProperties();
      types[name] = properties.contentType;
      expect(properties.metadata).toEqual({ project: "alpha", owner: "me" });
      expect(properties.accessTier).toBe("Cool");
      expect(properties.contentLanguage).toBe("en");
      expect((await client.getBlobClient(name).getTags()).tags).toEqual({ team: "data", env: "test" });
    }
    expect(types).toEqual({ "page.html": "text/html", noext: "text/plain", bin: "application/octet-stream" });
    const fixed = await createContainer();
    await runAzcp(["copy", `${root}/*`, fixed.sasUrl(), "--content-type", "application/x-custom"], home);
    expect(
      (await fixed.service.getContainerClient(fixed.name).getBlobClient("page.html").getProperties())
        .contentType,
    ).toBe("application/x-custom");
  });

  it("--put-md5 stores each file's MD5, for single requests and for blocks", async () => {
    const home = await testHome();
    const small = randomBytes(5000);
    const large = randomBytes(9 * 1024 * 1024 + 17);
    const root = await writeTree(join(home, "d"), { "small.bin": small, "large.bin": large });
    const container = await createContainer();
    expect((await runAzcp(["copy", `${root}/*`, container.sasUrl(), "--put-md5"], home)).code).toBe(0);
    const client = container.service.getContainerClient(container.name);
    for (const [name, data] of [
      ["small.bin", small],
      ["large.bin", large],
    ] as const) {
      const stored = (await client.getBlobClient(name).getProperties()).contentMD5;
      expect(Buffer.from(stored!).toString("hex")).toBe(md5(data));
    }
  });

  it("uploads .vhd files as page blobs (Detect) and --blob-type AppendBlob as append blobs", async () => {
    const home = await testHome();
    const disk = Buffer.concat([randomBytes(4096), Buffer.alloc(5 * 1024 * 1024), randomBytes(512)]);
    const log = randomBytes(5 * 1024 * 1024 + 100);
    await writeFile(join(home, "disk.vhd"), disk);
    await writeFile(join(home, "app.log"), log);
    const container = await createContainer();
    expect((await runAzcp(["copy", join(home, "disk.vhd"), container.sasUrl()], home)).code).toBe(0);
    expect(
      (await runAzcp(["copy", join(home, "app.log"), container.sasUrl(), "--blob-type", "AppendBlob"], home))
        .code,
    ).toBe(0);
    const client = container.service.getContainerClient(container.name);
    expect((await client.getBlobClient("disk.vhd").getProperties()).blobType).toBe("PageBlob");
    expect((await client.getBlobClient("app.log").getProperties()).blobType).toBe("AppendBlob");
    expect(await blobHashes(container)).toEqual({ "disk.vhd": md5(disk), "app.log": md5(log) });
    await writeFile(join(home, "odd.vhd"), randomBytes(1000));
    const odd = await runAzcp(["copy", join(home, "odd.vhd"), container.sasUrl()], home);
    expect(odd.code).toBe(1);
    expect(odd.stderr).toMatch(/multiple of 512 bytes/);
  });

  it("--preserve-last-modified-time gives downloads the blob's time", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("t.txt", "time");
    const [base, sas] = container.sasUrl().split("?");
    const target = join(home, "t.txt");
    expect(
      (await runAzcp(["copy", `${base}/t.txt?${sas}`, target, "--preserve-last-modified-time"], home)).code,
    ).toBe(0);
    const lastModified = (
      await container.service.getContainerClient(container.name).getBlobClient("t.txt").getProperties()
    ).lastModified!;
    expect((await stat(target)).mtime.getTime()).toBe(lastModified.getTime());
  });

  it("pipes: stdin to a blob (PipeBlob) and a blob to stdout (BlobPipe)", async () => {
    const home = await testHome();
    const data = randomBytes(17 * 1024 * 1024 + 5);
    await writeFile(join(home, "in.bin"), data);
    const container = await createContainer();
    const [base, sas] = container.sasUrl().split("?");
    const up = await runProcess(
      "bash",
      ["-c", `node "${AZCP_BIN}" copy "${base}/piped.bin?${sas}" --from-to PipeBlob < in.bin`],
      home,
    );
    expect(up.code).toBe(0);
    expect(await blobHashes(container)).toEqual({ "piped.bin": md5(data) });
    const down = await runProcess(
      "bash",
      ["-c", `node "${AZCP_BIN}" copy "${base}/piped.bin?${sas}" --from-to BlobPipe > out.bin`],
      home,
    );
    expect(down.code).toBe(0);
    expect(md5(await readFile(join(home, "out.bin")))).toBe(md5(data));
  });

  it("never writes outside the destination, whatever a blob is named", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("ok/fine.txt", "fine");
    await container.upload("a//double.txt", "double slash");
    const target = join(home, "inside");
    const result = await runAzcp(["copy", container.sasUrl(), target, "--recursive"], home);
    expect(result.code).toBe(1);
    expect(result.stderr).toMatch(/cannot be saved safely/);
    expect(await readFile(join(target, container.name, "ok", "fine.txt"), "utf8")).toBe("fine");
  });
});

describe.concurrent("Blob to Blob", () => {
  let proxy: StorageProxy;
  beforeAll(async () => {
    proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
  });
  afterAll(async () => {
    await proxy.close();
  });

  async function sourceWithFiles() {
    const source = await createContainer();
    const small = randomBytes(3000);
    const large = randomBytes(20 * 1024 * 1024 + 1);
    await source.upload("dir/small.bin", small);
    await source.upload("dir/large.bin", large);
    await source.service
      .getContainerClient(source.name)
      .getBlobClient("dir/small.bin")
      .setMetadata({ origin: "source" });
    return { source, hashes: { "dir/small.bin": md5(small), "dir/large.bin": md5(large) } };
  }

  it("--s2s-preserve-blob-tags carries the same index tags across as AzCopy; without it none", async () => {
    const { source, hashes } = await sourceWithFiles();
    const client = source.service.getContainerClient(source.name);
    await client.getBlobClient("dir/small.bin").setTags({ project: "blue sky", "cost-centre": "42" });
    await client.getBlobClient("dir/large.bin").setTags({ tier: "gold" });
    for (const flags of [["--s2s-preserve-blob-tags"], []]) {
      const destination = await createContainer();
      const [, sas] = destination.sasUrl().split("?");
      const proxied = `${proxy.origin}/${stack().accountName}/${destination.name}?${sas}`;
      const result = await runAzcp(
        ["copy", source.sasUrl(), proxied, "--recursive", "--as-subdir=false", ...flags],
        await testHome(),
      );
      expect(result.code, result.all).toBe(0);
      expect(await blobHashes(destination)).toEqual(hashes);
      const tagsOf = async (name: string) =>
        (await destination.service.getContainerClient(destination.name).getBlobClient(name).getTags()).tags;
      if (flags.length > 0) {
        const byAzcopy = await createContainer();
        const [, azcopySas] = byAzcopy.sasUrl().split("?");
        const azcopy = await runAzcopy(
          [
            "copy",
            source.sasUrl(),
            `${proxy.origin}/${stack().accountName}/${byAzcopy.name}?${azcopySas}`,
            "--recursive",
            "--as-subdir=false",
            "--from-to",
            "BlobBlob",
            ...flags,
          ],
          await testHome(),
        );
        expect(azcopy.code, azcopy.stdout).toBe(0);
        const azcopyClient = byAzcopy.service.getContainerClient(byAzcopy.name);
        for (const name of ["dir/small.bin", "dir/large.bin"])
          expect(await tagsOf(name), name).toEqual((await azcopyClient.getBlobClient(name).getTags()).tags);
        expect(await tagsOf("dir/small.bin")).toEqual({ project: "blue sky", "cost-centre": "42" });
        expect(await tagsOf("dir/large.bin")).toEqual({ tier: "gold" });
      } else {
        expect(await tagsOf("dir/small.bin")).toEqual({});
      }
    }
  });

  it("copies server-side with Put Blob/Block From URL, authorized by the source's SAS", async () => {
    const { source, hashes } = await sourceWithFiles();
    const destination = await createContainer();
    const [, sas] = destination.sasUrl().split("?");
    const proxied = `${proxy.origin}/${stack().accountName}/${destination.name}?${sas}`;
    const result = await runAzcp(
      ["copy", source.sasUrl(), proxied, "--recursive", "--as-subdir=false", "--output-type", "json"],
      await testHome(),
    );
    expect(result.code).toBe(0);
    expect(await blobHashes(destination)).toEqual(hashes);
    const copies = proxy.log.filter((entry) => entry.copyFromUrl && entry.path.includes(destination.name));
    expect(copies.length).toBe(1 + 3);
    expect(copies.reduce((sum, entry) => sum + entry.copyFromUrl!.bytes, 0)).toBe(
      3000 + 20 * 1024 * 1024 + 1,
    );
    // The client sent no data: BytesOverWire counts only what went through it.
    const end = JSON.parse(result.stdout.trim().split("\n").at(-1)!).MessageContent;
    expect(Number(JSON.parse(end).BytesOverWire)).toBeLessThan(10_000);
    const metadata = (
      await destination.service
        .getContainerClient(destination.name)
        .getBlobClient("dir/small.bin")
        .getProperties()
    ).metadata;
    expect(metadata).toEqual({ origin: "source" });
  });

  it("never hands the source's token to a destination host that may not receive tokens", async () => {
    const { source, hashes } = await sourceWithFiles();
    const destination = await createContainer();
    const [, sas] = destination.sasUrl().split("?");
    // The same proxy by another name, which the trusted suffixes (127.0.0.1) do not cover.
    const untrusted = `${proxy.origin.replace("127.0.0.1", "localhost")}/${stack().accountName}/${destination.name}?${sas}`;
    const result = await runAzcp(
      ["copy", source.url, untrusted, "--recursive", "--as-subdir=false", ...TRUST_LOCAL],
      await testHome(),
      { env: spnEnv(uniqueTenant()) },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await blobHashes(destination)).toEqual(hashes);
    const toDestination = proxy.log.filter((entry) => entry.path.includes(destination.name));
    expect(toDestination.length).toBeGreaterThan(0);
    expect(toDestination.filter((entry) => entry.copyFromUrl || entry.authorization === "bearer")).toEqual(
      [],
    );
  });

  it("copies server-side with OAuth on both sides: the source token travels in x-ms-copy-source-authorization", async () => {
    const { source, hashes } = await sourceWithFiles();
    const destination = await createContainer();
    const proxied = `${proxy.origin}/${stack().accountName}/${destination.name}`;
    const result = await runAzcp(
      ["copy", source.url, proxied, "--recursive", "--as-subdir=false", ...TRUST_LOCAL],
      await testHome(),
      {
        env: spnEnv(uniqueTenant()),
      },
    );
    expect(result.stderr).toBe("");
    expect(result.code).toBe(0);
    expect(await blobHashes(destination)).toEqual(hashes);
    const copies = proxy.log.filter((entry) => entry.copyFromUrl && entry.path.includes(destination.name));
    expect(copies.length).toBe(4);
    expect(
      copies.every(
        (entry) => entry.copyFromUrl!.sourceAuthorization === "bearer" && entry.authorization === "bearer",
      ),
    ).toBe(true);
  });

  it("falls back to copying through this machine when the service cannot copy from a URL (Azurite)", async () => {
    const { source, hashes } = await sourceWithFiles();
    const destination = await createContainer();
    const result = await runAzcp(
      ["copy", source.sasUrl(), destination.sasUrl(), "--recursive", "--as-subdir=false"],
      await testHome(),
    );
    expect(result.code).toBe(0);
    expect(result.stdout).toMatch(
      /does not support copying from a URL \((501 Not Implemented|500 without an error code)\)/,
    );
    expect(await blobHashes(destination)).toEqual(hashes);
  });
});
