// --force-if-read-only on Azure Files, beside the real AzCopy: the Files test server refuses to
// replace or delete a file whose ReadOnly attribute is set (409 ReadOnlyAttribute), as the
// service does.
import { join } from "node:path";
import { FileSystemAttributes } from "@azure/storage-file-share";
import { describe, expect, it } from "vitest";
import { runAzcopy } from "../support/azcopy.js";
import { createShare, md5, runAzcp, type TestShare, testHome, writeTree } from "../support/harness.js";

async function shareWithReadOnlyFile(): Promise<TestShare> {
  const share = await createShare();
  const file = share.client.rootDirectoryClient.getFileClient("locked.txt");
  await file.uploadData(Buffer.from("old"));
  await file.setProperties({ fileAttributes: FileSystemAttributes.parse("ReadOnly") });
  return share;
}

async function contentOf(share: TestShare, name: string): Promise<string | undefined> {
  const file = share.client.rootDirectoryClient.getFileClient(name);
  if (!(await file.exists())) return undefined;
  return (await file.downloadToBuffer()).toString();
}

describe.concurrent("--force-if-read-only, beside AzCopy", () => {
  for (const tool of ["azcp", "azcopy"] as const) {
    it(`${tool}: a read-only file is replaced and deleted only with the flag`, async () => {
      const home = await testHome();
      const source = await writeTree(join(home, "src"), { "locked.txt": "new" });
      const share = await shareWithReadOnlyFile();
      const run = (args: string[]) => (tool === "azcp" ? runAzcp(args, home) : runAzcopy(args, home));
      const upload = [
        "copy",
        join(source, "locked.txt"),
        share.sasUrl.replace("?", "/locked.txt?"),
        "--from-to",
        "LocalFile",
      ];

      const refused = await run(upload);
      expect(refused.code, refused.stdout).toBe(1);
      if (tool === "azcp")
        expect(refused.all).toContain(
          "target is readonly. To force the action to proceed, add --force-if-read-only",
        );
      expect(await contentOf(share, "locked.txt")).toBe("old");

      const forced = await run([...upload, "--force-if-read-only"]);
      expect(forced.code, forced.stdout + forced.stderr).toBe(0);
      expect(md5((await contentOf(share, "locked.txt")) ?? "")).toBe(md5("new"));

      const again = await shareWithReadOnlyFile();
      const remove = ["remove", again.sasUrl.replace("?", "/locked.txt?"), "--from-to", "FileTrash"];
      const kept = await run(remove);
      expect(kept.code, kept.stdout).toBe(1);
      expect(await contentOf(again, "locked.txt")).toBe("old");
      const removed = await run([...remove, "--force-if-read-only"]);
      expect(removed.code, removed.stdout + removed.stderr).toBe(0);
      expect(await contentOf(again, "locked.txt")).toBeUndefined();
    });
  }

  it("refuses the flag where the target is not Azure Files, in AzCopy's words", async () => {
    const home = await testHome();
    const source = await writeTree(join(home, "src"), { "a.txt": "a" });
    const result = await runAzcp(
      [
        "copy",
        source,
        "https://127.0.0.1:1/acct/c",
        "--recursive",
        "--force-if-read-only",
        "--from-to",
        "LocalBlob",
      ],
      home,
    );
    expect(result.code).toBe(1);
    expect(result.stderr).toContain(
      "force-if-read-only is only supported when the target is Azure Files or a Windows file system",
    );
  });
});
