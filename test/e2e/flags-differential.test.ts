// Flags azcp took over from AzCopy, run with both tools on the same input: the same files land.
import { chmod, lstat, readFile, readlink, rm, stat, symlink, utimes } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcopy, runAzcopyPastHangs } from "../support/azcopy.js";
import {
  blobHashes,
  createContainer,
  createShare,
  localHashes,
  md5,
  runAzcp,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";

/** Runs the same command with AzCopy and azcp, each into a new container of its own; both must succeed. */
async function intoContainersOfBoth(home: string, args: (to: string) => string[]) {
  const byAzcopy = await createContainer();
  const byAzcp = await createContainer();
  const azcopy = await runAzcopy(args(byAzcopy.sasUrl()), home);
  expect(azcopy.code, azcopy.stdout).toBe(0);
  const azcp = await runAzcp(args(byAzcp.sasUrl()), home);
  expect(azcp.code, azcp.all).toBe(0);
  return { byAzcopy, byAzcp };
}

/** Blob name -> its metadata, as the SDK lists it. */
async function metadataByBlob(container: TestContainer): Promise<Record<string, Record<string, string>>> {
  const out: Record<string, Record<string, string>> = {};
  const client = container.service.getContainerClient(container.name);
  for await (const blob of client.listBlobsFlat({ includeMetadata: true }))
    out[blob.name] = blob.metadata ?? {};
  return out;
}

async function containerOfEveryBlobType(): Promise<TestContainer> {
  const container = await createContainer();
  const client = container.service.getContainerClient(container.name);
  await container.upload("block.txt", "block");
  await container.upload("dir/block2.txt", "block two");
  const append = client.getAppendBlobClient("dir/append.log");
  await append.create();
  await append.appendBlock("line\n", 5);
  const page = client.getPageBlobClient("disk.vhd");
  await page.create(1024);
  await page.uploadPages(Buffer.alloc(512, 7), 0, 512);
  return container;
}

describe.concurrent("differential: flags shared with AzCopy", () => {
  it("--exclude-blob-type leaves out the same blobs", async () => {
    const home = await testHome();
    const container = await containerOfEveryBlobType();
    for (const excluded of ["AppendBlob", "PageBlob;AppendBlob", "BlockBlob"]) {
      const args = (to: string) => [
        "copy",
        container.sasUrl(),
        to,
        "--recursive",
        "--as-subdir=false",
        "--from-to",
        "BlobLocal",
        "--exclude-blob-type",
        excluded,
      ];
      const byAzcopy = join(home, `azcopy-${excluded}`);
      const byAzcp = join(home, `azcp-${excluded}`);
      const azcopy = await runAzcopy(args(byAzcopy), home);
      expect(azcopy.code, azcopy.stdout).toBe(0);
      const azcp = await runAzcp(args(byAzcp), home);
      expect(azcp.code, azcp.all).toBe(0);
      const kept = await localHashes(byAzcp);
      expect(kept, excluded).toEqual(await localHashes(byAzcopy));
      expect(Object.keys(kept).length, excluded).toBeGreaterThan(0);
      expect(Object.keys(kept).length, excluded).toBeLessThan(4);
    }
  });

  it("refuses a blob type that does not exist, naming the types", async () => {
    const home = await testHome();
    const container = await containerOfEveryBlobType();
    const result = await runAzcp(
      ["copy", container.sasUrl(), join(home, "out"), "--recursive", "--exclude-blob-type", "TapeBlob"],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.all).toContain("BlockBlob, PageBlob, AppendBlob");
  });

  it("sync takes --check-md5, --put-blob-size-mb and --s2s-preserve-access-tier, and refuses --follow-symlinks as AzCopy does", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a", "real/b.txt": "b" });
    await symlink(join(root, "real"), join(root, "linked"));
    const flags = [
      "--put-blob-size-mb",
      "8",
      "--check-md5",
      "FailIfDifferent",
      "--s2s-preserve-access-tier=false",
      "--from-to",
      "LocalBlob",
    ];
    const { byAzcopy, byAzcp } = await intoContainersOfBoth(home, (to) => ["sync", root, to, ...flags]);
    const stored = await blobHashes(byAzcp);
    expect(stored).toEqual(await blobHashes(byAzcopy));
    expect(Object.keys(stored).sort()).toEqual(["a.txt", "real/b.txt"]);
    const refused = [
      await runAzcopy(["sync", root, byAzcopy.sasUrl(), ...flags, "--follow-symlinks"], home),
      await runAzcp(["sync", root, byAzcp.sasUrl(), ...flags, "--follow-symlinks"], home),
    ];
    for (const result of refused) {
      expect(result.code, result.all).toBe(1);
      expect(result.all).toContain("the '--follow-symlinks' flag is not applicable for sync operations");
    }
  });

  it("--preserve-posix-properties stores what AzCopy stores and gives mode and times back", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a", "d/b.txt": "b" });
    await chmod(join(root, "a.txt"), 0o640);
    await chmod(join(root, "d/b.txt"), 0o751);
    const then = new Date("2001-02-03T04:05:06.789Z");
    await utimes(join(root, "d/b.txt"), then, then);
    const up = (to: string) => [
      "copy",
      root,
      to,
      "--recursive",
      "--from-to",
      "LocalBlob",
      "--preserve-posix-properties",
    ];
    const { byAzcopy, byAzcp } = await intoContainersOfBoth(home, up);
    // AzCopy also leaves folder stubs (hdi_isfolder=true); azcp does not (see the closing note).
    const files = (all: Record<string, Record<string, string>>) =>
      Object.fromEntries(Object.entries(all).filter(([, metadata]) => metadata.hdi_isfolder !== "true"));
    const theirs = files(await metadataByBlob(byAzcopy));
    const ours = files(await metadataByBlob(byAzcp));
    expect(Object.keys(ours).sort()).toEqual(["tree/a.txt", "tree/d/b.txt"]);
    // Reading a file may move its access time between the two runs; everything else is the same.
    const stable = [
      "modtime",
      "permissions",
      "posix_ctime",
      "posix_dev",
      "posix_group",
      "posix_ino",
      "posix_nlink",
      "posix_owner",
    ];
    for (const name of Object.keys(ours)) {
      for (const key of stable) expect(ours[name]![key], `${name} ${key}`).toBe(theirs[name]![key]);
      expect(ours[name]!.posix_atime).toMatch(/^\d+$/);
    }
    expect(ours["tree/d/b.txt"]!.modtime).toBe(String(BigInt(then.getTime()) * 1_000_000n));

    const down = (to: string) => [
      "copy",
      `${byAzcopy.sasUrl()}`,
      to,
      "--recursive",
      "--from-to",
      "BlobLocal",
      "--preserve-posix-properties",
    ];
    const azcopyDown = await runAzcopy(down(join(home, "azcopy-down")), home);
    expect(azcopyDown.code, azcopyDown.stdout).toBe(0);
    const azcpDown = await runAzcp(down(join(home, "azcp-down")), home);
    expect(azcpDown.code, azcpDown.all).toBe(0);
    for (const file of ["a.txt", "d/b.txt"]) {
      const original = await stat(join(root, file));
      for (const tool of ["azcopy-down", "azcp-down"]) {
        const copied = await stat(join(home, tool, byAzcopy.name, "tree", file));
        expect(copied.mode & 0o7777, `${tool} ${file}`).toBe(original.mode & 0o7777);
        expect(copied.mtime.getTime(), `${tool} ${file}`).toBe(original.mtime.getTime());
      }
    }
    // AzCopy's upload left directory stubs (empty blobs with hdi_isfolder=true) for tree and
    // tree/d: a plain download treats them as folders, not as files to write over directories.
    const plain = await runAzcp(["copy", byAzcopy.sasUrl(), join(home, "plain"), "--recursive"], home);
    expect(plain.code, plain.all).toBe(0);
    expect(Object.keys(await localHashes(join(home, "plain"))).sort()).toEqual([
      `${byAzcopy.name}/tree/a.txt`,
      `${byAzcopy.name}/tree/d/b.txt`,
    ]);
  });

  it("--posix-properties-style amlfs stores Lustre's names as AzCopy does, and a download reads them back", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a" });
    await chmod(join(root, "a.txt"), 0o640);
    const then = new Date("2001-02-03T04:05:06.000Z");
    await utimes(join(root, "a.txt"), then, then);
    const up = (to: string) => [
      "copy",
      root,
      to,
      "--recursive",
      "--from-to",
      "LocalBlob",
      "--preserve-posix-properties",
      "--posix-properties-style",
      "amlfs",
    ];
    const { byAzcopy, byAzcp } = await intoContainersOfBoth(home, up);
    const theirs = (await metadataByBlob(byAzcopy))["tree/a.txt"]!;
    const ours = (await metadataByBlob(byAzcp))["tree/a.txt"]!;
    for (const key of ["owner", "group", "permissions", "modtime", "posix_ino", "posix_nlink", "posix_dev"])
      expect(ours[key], key).toBe(theirs[key]);
    expect(ours.permissions).toBe("0640");
    expect(ours.posix_owner).toBeUndefined();
    const down = join(home, "down");
    const result = await runAzcp(
      [
        "copy",
        byAzcopy.sasUrl(),
        down,
        "--recursive",
        "--from-to",
        "BlobLocal",
        "--preserve-posix-properties",
      ],
      home,
    );
    expect(result.code, result.all).toBe(0);
    const copied = await stat(join(down, byAzcopy.name, "tree", "a.txt"));
    expect(copied.mode & 0o777).toBe(0o640);
    expect(copied.mtime.getTime()).toBe(then.getTime());
    const misuse = await runAzcp(
      ["copy", root, byAzcp.sasUrl(), "--recursive", "--posix-properties-style", "amlfs"],
      home,
    );
    expect(misuse.code).toBe(1);
    expect(misuse.stderr).toContain(
      "to use --posix-properties-style flag, it has to be used with preserve-posix-properties",
    );
  });

  it("refuses --preserve-posix-properties where no metadata can hold it", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a" });
    const share = await createShare();
    const result = await runAzcp(
      ["copy", root, share.sasUrl, "--recursive", "--from-to", "LocalFile", "--preserve-posix-properties"],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.all).toContain("--preserve-posix-properties works between a local disk and Blob Storage");
  });

  it("--preserve-symlinks uploads and restores links as AzCopy does, but makes none that leave the destination", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a", "d/b.txt": "b" });
    await symlink("a.txt", join(root, "link"));
    await symlink("../a.txt", join(root, "d/up"));
    await symlink("d", join(root, "dirlink"));
    const up = (to: string) => [
      "copy",
      root,
      to,
      "--recursive",
      "--from-to",
      "LocalBlob",
      "--preserve-symlinks",
    ];
    const { byAzcopy, byAzcp } = await intoContainersOfBoth(home, up);
    const ours = await metadataByBlob(byAzcp);
    expect(ours).toEqual(await metadataByBlob(byAzcopy));
    expect(await blobHashes(byAzcp)).toEqual(await blobHashes(byAzcopy));
    expect(ours["tree/link"]).toEqual({ is_symlink: "true" });
    const link = byAzcp.service.getContainerClient(byAzcp.name).getBlobClient("tree/link");
    expect((await link.downloadToBuffer()).toString()).toBe("a.txt");

    // AzCopy's own download of these links fails now and then (a link whose folder it has not
    // made yet), so azcp's download is held to the links that were uploaded.
    const azcpDown = await runAzcp(
      [
        "copy",
        byAzcopy.sasUrl(),
        join(home, "azcp-down"),
        "--recursive",
        "--from-to",
        "BlobLocal",
        "--preserve-symlinks",
      ],
      home,
    );
    expect(azcpDown.code, azcpDown.all).toBe(0);
    for (const link of ["link", "d/up", "dirlink"]) {
      const mine = join(home, "azcp-down", byAzcopy.name, "tree", link);
      expect((await lstat(mine)).isSymbolicLink(), link).toBe(true);
      expect(await readlink(mine), link).toBe(await readlink(join(root, link)));
    }
    expect(await localHashes(join(home, "azcp-down", byAzcopy.name, "tree", "d"))).toEqual(
      await localHashes(join(root, "d")),
    );

    // A link whose target leaves the destination is not made (AzCopy makes it); the rest lands.
    const evil = await createContainer();
    await evil.upload("ok.txt", "fine");
    await evil.service
      .getContainerClient(evil.name)
      .getBlockBlobClient("escape")
      .upload("../../../etc", 12, { metadata: { is_symlink: "true" } });
    const refused = await runAzcp(
      ["copy", evil.sasUrl(), join(home, "evil"), "--recursive", "--preserve-symlinks"],
      home,
    );
    expect(refused.code).toBe(1);
    expect(refused.all).toContain("outside the destination");
    expect(await lstat(join(home, "evil", evil.name, "escape")).catch(() => undefined)).toBeUndefined();
    expect(Object.keys(await localHashes(join(home, "evil")))).toEqual([`${evil.name}/ok.txt`]);
  });

  it("--include-directory-stub: a download writes no file for a stub, as AzCopy's does; a copy between containers keeps it", async () => {
    const home = await testHome();
    const source = await createContainer();
    const client = source.service.getContainerClient(source.name);
    await client.getBlockBlobClient("stub").upload("", 0, { metadata: { hdi_isfolder: "true" } });
    await source.upload("dir/file.txt", "inside");
    await source.upload("top.txt", "top");
    for (const flags of [[], ["--include-directory-stub"]]) {
      const label = flags.join(" ") || "default";
      const args = (to: string) => [
        "copy",
        source.sasUrl(),
        to,
        "--recursive",
        "--as-subdir=false",
        "--from-to",
        "BlobLocal",
        ...flags,
      ];
      const azcopy = await runAzcopy(args(join(home, `azcopy-${label}`)), home);
      expect(azcopy.code, azcopy.stdout).toBe(0);
      const azcp = await runAzcp(args(join(home, `azcp-${label}`)), home);
      expect(azcp.code, azcp.all).toBe(0);
      const ours = await localHashes(join(home, `azcp-${label}`));
      expect(ours, label).toEqual(await localHashes(join(home, `azcopy-${label}`)));
      expect(Object.keys(ours).sort(), label).toEqual(["dir/file.txt", "top.txt"]);
    }
    // AzCopy cannot copy between two containers of this emulator, so this side is held to the flag's meaning.
    for (const flags of [[], ["--include-directory-stub"]]) {
      const target = await createContainer();
      const copied = await runAzcp(
        ["copy", source.sasUrl(), target.sasUrl(), "--recursive", "--as-subdir=false", ...flags],
        home,
      );
      expect(copied.code, copied.all).toBe(0);
      expect(await metadataByBlob(target)).toEqual({
        "dir/file.txt": {},
        "top.txt": {},
        ...(flags.length > 0 ? { stub: { hdi_isfolder: "true" } } : {}),
      });
    }
  });
});

describe.concurrent("differential: --decompress", () => {
  it("decompresses gzip downloads under their own names, the same files as AzCopy", async () => {
    const { gzipSync } = await import("node:zlib");
    const home = await testHome();
    const container = await createContainer();
    const client = container.service.getContainerClient(container.name);
    const text = "line of text\n".repeat(1000);
    const put = (name: string, data: Buffer, contentEncoding?: string) =>
      client
        .getBlockBlobClient(name)
        .uploadData(data, { blobHTTPHeaders: { blobContentEncoding: contentEncoding } });
    await put("logs/a.log.gz", gzipSync(text), "gzip");
    await put("logs/b.txt.GZIP", gzipSync(`b ${text}`), "GZIP");
    await put("logs/d.gz", gzipSync("plain"), "");
    await put("logs/e.bin", gzipSync(`e ${text}`), "gzip");
    const args = (to: string) => [
      "copy",
      container.sasUrl(),
      to,
      "--recursive",
      "--decompress",
      "--from-to",
      "BlobLocal",
    ];
    const byAzcopy = join(home, "azcopy");
    const byAzcp = join(home, "azcp");
    const azcopy = await runAzcopyPastHangs(args(byAzcopy), home, {
      beforeRetry: () => rm(byAzcopy, { recursive: true, force: true }),
    });
    expect(azcopy.code, azcopy.stdout).toBe(0);
    const azcp = await runAzcp(args(byAzcp), home);
    expect(azcp.code, azcp.all).toBe(0);
    const files = await localHashes(byAzcp);
    expect(files).toEqual(await localHashes(byAzcopy));
    const prefix = `${container.name}/logs/`;
    expect(Object.keys(files).sort()).toEqual(
      ["a.log.gz", "b.txt.GZIP", "d.gz", "e.bin"].map((name) => `${prefix}${name}`),
    );
    expect(files[`${prefix}a.log.gz`]).toBe(md5(text));
    expect(files[`${prefix}e.bin`]).toBe(md5(`e ${text}`));
  });

  it("decompresses deflate (which AzCopy 10.32.2 often never finishes); fails data that is not what its Content-Encoding says, leaving no file; refuses uploads", async () => {
    const { deflateSync } = await import("node:zlib");
    const home = await testHome();
    const container = await createContainer();
    const client = container.service.getContainerClient(container.name);
    await client
      .getBlockBlobClient("bad.gz")
      .uploadData(Buffer.from("not gzip at all"), { blobHTTPHeaders: { blobContentEncoding: "gzip" } });
    const text = "deflated line\n".repeat(500);
    await client
      .getBlockBlobClient("c.zz")
      .uploadData(deflateSync(text), { blobHTTPHeaders: { blobContentEncoding: "deflate" } });
    const inflated = join(home, "inflated");
    const deflate = await runAzcp(
      ["copy", container.sasUrl().replace("?", "/c.zz?"), inflated, "--decompress"],
      home,
    );
    expect(deflate.code, deflate.all).toBe(0);
    expect(md5(await readFile(inflated))).toBe(md5(text));
    const folder = join(home, "out");
    const result = await runAzcp(
      ["copy", container.sasUrl().replace("?", "/bad.gz?"), folder, "--decompress"],
      home,
    );
    expect(result.code, result.all).toBe(1);
    expect(result.all).toContain("could not be decompressed as gzip");
    expect(await localHashes(folder).catch(() => ({}))).toEqual({});
    const upload = await runAzcp(["copy", folder, container.sasUrl(), "--recursive", "--decompress"], home);
    expect(upload.code).toBe(1);
    expect(upload.stderr).toContain(
      "automatic decompression is only supported for downloads from Blob and Azure Files",
    );
  });
});
