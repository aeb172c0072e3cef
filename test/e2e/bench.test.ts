// azcp bench: AzCopy's benchmark command. Upload sends generated files and deletes them after;
// download reads what the target holds and writes nothing locally.
import { readdir } from "node:fs/promises";
import { describe, expect, it } from "vitest";
import { createContainer, parseJsonLines, runAzcp, testHome } from "../support/harness.js";

async function blobNames(container: Awaited<ReturnType<typeof createContainer>>): Promise<string[]> {
  const names: string[] = [];
  for await (const blob of container.service.getContainerClient(container.name).listBlobsFlat())
    names.push(blob.name);
  return names;
}

describe.concurrent("bench", () => {
  it("uploads generated files, reports the speed and deletes its test data", async () => {
    const home = await testHome();
    const container = await createContainer();
    const result = await runAzcp(
      [
        "bench",
        container.sasUrl(),
        "--file-count",
        "5",
        "--size-per-file",
        "100K",
        "--number-of-folders",
        "2",
      ],
      home,
    );
    expect(result.code, result.all).toBe(0);
    expect(result.stdout).toContain("Benchmark results");
    expect(result.stdout).toMatch(/Files Transferred: 5\n/);
    expect(result.stdout).toMatch(/Bytes Transferred: 512000\n/);
    expect(await blobNames(container)).toEqual([]);
  });

  it("keeps the test data when asked, spread over the folders", async () => {
    const home = await testHome();
    const container = await createContainer();
    const result = await runAzcp(
      [
        "bench",
        container.sasUrl(),
        "--file-count",
        "4",
        "--size-per-file",
        "1K",
        "--number-of-folders",
        "2",
        "--delete-test-data=false",
        "--output-type",
        "json",
      ],
      home,
    );
    expect(result.code, result.all).toBe(0);
    const names = await blobNames(container);
    expect(names).toHaveLength(4);
    expect(new Set(names.map((name) => name.split("/").slice(0, -1).join("/"))).size).toBe(2);
    const info = parseJsonLines(result.stdout).filter((line) => line.MessageType === "Info");
    expect(JSON.parse(info.at(-1)!.MessageContent)).toMatchObject({ Mode: "Upload", FilesTransferred: 4 });
  });

  it("downloads what the target holds without writing it anywhere", async () => {
    const home = await testHome();
    const container = await createContainer();
    await container.upload("a.bin", Buffer.alloc(3000, 1));
    await container.upload("dir/b.bin", Buffer.alloc(2000, 2));
    const result = await runAzcp(["bench", container.sasUrl(), "--mode", "Download"], home);
    expect(result.code, result.all).toBe(0);
    expect(result.stdout).toMatch(/Files Transferred: 2\n/);
    expect(result.stdout).toMatch(/Bytes Transferred: 5000\n/);
    // Only the log and plan folder appears; nothing downloaded lands in the working directory.
    expect(await readdir(home)).toEqual([".azcopy"]);
    expect((await blobNames(container)).sort()).toEqual(["a.bin", "dir/b.bin"]);
  });

  it("refuses a size it cannot read, naming the flag", async () => {
    const home = await testHome();
    const container = await createContainer();
    const result = await runAzcp(["bench", container.sasUrl(), "--size-per-file", "12Q"], home);
    expect(result.code).not.toBe(0);
    expect(result.all).toContain("--size-per-file");
    expect(await blobNames(container)).toEqual([]);
  });
});
