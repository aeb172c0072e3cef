// make, list, remove and sync on Azure Files and Data Lake Storage; SMB times and Data Lake ACLs
// carried over; and 403s that name the Files roles, or the Data Lake ACL that could stand in.
import { randomBytes } from "node:crypto";
import { mkdir, readFile, stat, utimes, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { FileSystemAttributes } from "@azure/storage-file-share";
import { describe, expect, it } from "vitest";
import {
  blobHashes,
  createContainer,
  createFileSystem,
  createShare,
  emulator,
  fileSystemHashes,
  hashesOf,
  localHashes,
  proxyInFrontOfAzurite,
  restServer,
  runAzcp,
  shareHashes,
  spnEnv,
  stack,
  testHome,
  uniqueName,
  uniqueTenant,
  writeTree,
} from "../support/harness.js";
import { startStorageProxy } from "../support/storage-proxy.js";

const PAST = new Date("2001-02-03T04:05:06Z");
const FUTURE = new Date(Date.now() + 3_600_000);

function at(url: string, path: string): string {
  const [base, query] = url.split("?");
  return `${base}/${path}${query ? `?${query}` : ""}`;
}

/** A service principal of the test's own, so that restricting its roles touches no other test. */
async function ownPrincipal() {
  const secret = `secret-${randomBytes(9).toString("base64url")}`;
  const app = await emulator.registerApp({ secrets: [secret], displayName: "restricted principal" });
  const env = spnEnv(uniqueTenant(), {
    AZCOPY_SPA_APPLICATION_ID: app.clientId,
    AZCOPY_SPA_CLIENT_SECRET: secret,
    AZCP_TRUSTED_MICROSOFT_SUFFIXES: "127.0.0.1",
  });
  return { app, env };
}

describe.concurrent("Azure Files and Data Lake: commands", () => {
  it("make creates a share with its quota and a file system, and says when one exists", async () => {
    const home = await testHome();
    const env = spnEnv(uniqueTenant(), { AZCP_TRUSTED_MICROSOFT_SUFFIXES: "127.0.0.1" });
    const info = stack();
    const share = uniqueName("s");
    const made = await runAzcp(
      ["make", `${info.filesEndpoint}/${share}`, "--location", "File", "--quota-gb", "7"],
      home,
      { env },
    );
    expect(made.stderr).toBe("");
    expect(made.code).toBe(0);
    expect(made.stdout).toContain("Successfully created");
    const again = await runAzcp(["make", `${info.filesEndpoint}/${share}`, "--location", "File"], home, {
      env,
    });
    expect(again.code).toBe(1);
    expect(again.all).toMatch(/already exists/);
    const created = await createShare(share, { existing: true });
    expect((await created.client.getProperties()).quota).toBe(7);

    const fileSystem = uniqueName("f");
    const lake = await runAzcp(["make", `${info.dfsEndpoint}/${fileSystem}`, "--location", "BlobFS"], home, {
      env,
    });
    expect(lake.code).toBe(0);
    expect(await (await createFileSystem(fileSystem, { existing: true })).client.exists()).toBe(true);

    const quota = await runAzcp(
      ["make", `${info.dfsEndpoint}/${uniqueName("f")}`, "--location", "BlobFS", "--quota-gb", "1"],
      home,
      { env },
    );
    expect(quota.code).toBe(1);
    expect(quota.all).toMatch(/--quota-gb applies to Azure Files shares only/);
  });

  it.each(["File", "BlobFS"] as const)("%s: list shows every file with its size", async (service) => {
    const home = await testHome();
    const side = service === "File" ? await createShare() : await createFileSystem();
    const root = await writeTree(join(home, "t"), { "a.txt": "12345", "d/e/f.bin": Buffer.alloc(2048, 1) });
    const up = await runAzcp(
      ["copy", `${root}/*`, side.sasUrl, "--recursive", "--from-to", `Local${service}`],
      home,
    );
    expect(up.code).toBe(0);
    const listed = await runAzcp(["list", side.sasUrl, "--location", service, "--machine-readable"], home);
    expect(listed.code).toBe(0);
    expect(listed.stdout.trim().split("\n").sort()).toEqual([
      "a.txt; Content Length: 5",
      "d/e/f.bin; Content Length: 2048",
    ]);
  });

  it("File: remove --recursive deletes the files and the folders they were in", async () => {
    const home = await testHome();
    const share = await createShare();
    const root = await writeTree(join(home, "t"), {
      "keep.txt": "k",
      "gone/a.txt": "a",
      "gone/sub/b.txt": "b",
    });
    await mkdir(join(root, "gone", "empty"));
    expect(
      (await runAzcp(["copy", `${root}/*`, share.sasUrl, "--recursive", "--from-to", "LocalFile"], home))
        .code,
    ).toBe(0);
    expect(await share.client.getDirectoryClient("gone/empty").exists()).toBe(true);
    const removed = await runAzcp(
      ["remove", at(share.sasUrl, "gone"), "--recursive", "--from-to", "FileTrash"],
      home,
    );
    expect(removed.stderr).toBe("");
    expect(removed.code).toBe(0);
    expect(await shareHashes(share)).toEqual(hashesOf({ "keep.txt": "k" }));
    expect(await share.client.getDirectoryClient("gone").exists()).toBe(false);
  });

  it("BlobFS: remove --recursive deletes a directory in one request", async () => {
    const home = await testHome();
    const fileSystem = await createFileSystem();
    const root = await writeTree(join(home, "t"), {
      "keep.txt": "k",
      "gone/a.txt": "a",
      "gone/sub/b.txt": "b",
    });
    expect(
      (
        await runAzcp(
          ["copy", `${root}/*`, fileSystem.sasUrl, "--recursive", "--from-to", "LocalBlobFS"],
          home,
        )
      ).code,
    ).toBe(0);
    const since = await restServer.lastSeq();
    const removed = await runAzcp(
      ["remove", at(fileSystem.sasUrl, "gone"), "--recursive", "--from-to", "BlobFSTrash"],
      home,
    );
    expect(removed.code).toBe(0);
    expect(await fileSystemHashes(fileSystem)).toEqual(hashesOf({ "keep.txt": "k" }));
    const deletes = (await restServer.requests(since)).filter(
      (request) => request.method === "DELETE" && request.path.includes(`/${fileSystem.name}/`),
    );
    expect(deletes.map((request) => [request.path.replace(/.*\//, ""), request.query.recursive])).toEqual([
      ["gone", "true"],
    ]);
  });

  it.each(["File", "BlobFS"] as const)(
    "%s: sync copies new and newer files, and deletes with --delete-destination true",
    async (service) => {
      const home = await testHome();
      const side = service === "File" ? await createShare() : await createFileSystem();
      const hashes = (prefix: string) =>
        service === "File"
          ? shareHashes(side as Awaited<ReturnType<typeof createShare>>, prefix)
          : fileSystemHashes(side as Awaited<ReturnType<typeof createFileSystem>>, prefix);
      const files = {
        "same.txt": "same",
        "changed.txt": "v1",
        "gone.txt": "bye",
        "dir/deep.bin": randomBytes(3000),
      };
      const root = await writeTree(join(home, "src"), files);
      for (const name of Object.keys(files)) await utimes(join(root, name), PAST, PAST);
      const target = at(side.sasUrl, "synced");
      const first = await runAzcp(["sync", root, target, "--from-to", `Local${service}`], home);
      expect(first.code).toBe(0);
      expect(await hashes("synced")).toEqual(hashesOf(files));

      await writeFile(join(root, "changed.txt"), "v2");
      await utimes(join(root, "changed.txt"), FUTURE, FUTURE);
      await writeFile(join(root, "new.txt"), "new");
      await utimes(join(root, "new.txt"), FUTURE, FUTURE);
      const { rm } = await import("node:fs/promises");
      await rm(join(root, "gone.txt"));
      const second = await runAzcp(
        [
          "sync",
          root,
          target,
          "--from-to",
          `Local${service}`,
          "--delete-destination",
          "true",
          "--output-type",
          "json",
        ],
        home,
      );
      expect(second.code).toBe(0);
      const done = second.stdout
        .split("\n")
        .filter((line) => line.includes('"MessageType":"Transfer"'))
        .map((line) => JSON.parse(JSON.parse(line).MessageContent) as { Source: string })
        .map((transfer) => transfer.Source.replace(/.*\//, ""))
        .sort();
      expect(done).toEqual(["changed.txt", "gone.txt", "new.txt"]);
      const expected = { ...files, "changed.txt": "v2", "new.txt": "new" } as Record<string, string | Buffer>;
      delete expected["gone.txt"];
      expect(await hashes("synced")).toEqual(hashesOf(expected));

      const back = join(home, "back");
      const down = await runAzcp(["sync", target, back, "--from-to", `${service}Local`], home);
      expect(down.code).toBe(0);
      expect(await localHashes(back)).toEqual(hashesOf(expected));
    },
  );

  it("File: --preserve-info carries the modification time up as the SMB last-write time, and back", async () => {
    const home = await testHome();
    const share = await createShare();
    const root = await writeTree(join(home, "t"), { "old.txt": "from 2001" });
    await utimes(join(root, "old.txt"), PAST, PAST);
    const up = await runAzcp(
      [
        "copy",
        join(root, "old.txt"),
        at(share.sasUrl, "old.txt"),
        "--from-to",
        "LocalFile",
        "--preserve-info",
      ],
      home,
    );
    expect(up.code).toBe(0);
    const properties = await share.client.rootDirectoryClient.getFileClient("old.txt").getProperties();
    expect(properties.fileLastWriteOn?.toISOString()).toBe(PAST.toISOString());
    const down = join(home, "down.txt");
    const get = await runAzcp(
      ["copy", at(share.sasUrl, "old.txt"), down, "--from-to", "FileLocal", "--preserve-info"],
      home,
    );
    expect(get.code).toBe(0);
    expect((await stat(down)).mtime.toISOString()).toBe(PAST.toISOString());
  });

  it.each(["File", "BlobFS"] as const)(
    "%s: a failed upload leaves the old file under its name, and --overwrite false keeps it too",
    async (service) => {
      const home = await testHome();
      const info = stack();
      const side = service === "File" ? await createShare() : await createFileSystem();
      const hashes = () =>
        service === "File"
          ? shareHashes(side as Awaited<ReturnType<typeof createShare>>)
          : fileSystemHashes(side as Awaited<ReturnType<typeof createFileSystem>>);
      const old = randomBytes(3000);
      const root = await writeTree(join(home, "t"), { "keep.bin": old });
      expect(
        (
          await runAzcp(
            ["copy", join(root, "keep.bin"), at(side.sasUrl, "keep.bin"), "--from-to", `Local${service}`],
            home,
          )
        ).code,
      ).toBe(0);

      // Every data write fails: the job gives up, and what was there stays.
      const proxy = await startStorageProxy({
        target: service === "File" ? info.filesOrigin : info.dfsOrigin,
        tls: {
          keyPem: await readFile(info.serverKeyPath, "utf8"),
          certPem: await readFile(info.serverCertPath, "utf8"),
        },
        ca: await readFile(info.caCertPath, "utf8"),
      });
      try {
        proxy.rules.push({
          methods: service === "File" ? ["PUT"] : ["PATCH"],
          query: service === "File" ? "comp=range" : "action=append",
          reply: { type: "error", status: 500, code: "InternalError", message: "Server failed." },
        });
        await writeFile(join(root, "keep.bin"), randomBytes(6 * 1024 * 1024));
        const [, sas] = side.sasUrl.split("?");
        const through = `${proxy.origin}/${info.accountName}/${side.name}/keep.bin?${sas}`;
        const failed = await runAzcp(
          ["copy", join(root, "keep.bin"), through, "--from-to", `Local${service}`],
          home,
          {
            env: { AZCP_MAX_TRIES: "2", AZCP_RETRY_DELAY_MS: "10" },
          },
        );
        expect(failed.code).toBe(1);
        expect(failed.all).toMatch(/500 InternalError/);
        expect(proxy.log.some((entry) => entry.fault !== undefined || entry.ruled)).toBe(true);
      } finally {
        await proxy.close();
      }
      // The old bytes, and no temporary file beside them.
      expect(await hashes()).toEqual(hashesOf({ "keep.bin": old }));

      const kept = await runAzcp(
        [
          "copy",
          join(root, "keep.bin"),
          at(side.sasUrl, "keep.bin"),
          "--from-to",
          `Local${service}`,
          "--overwrite",
          "false",
        ],
        home,
      );
      expect(kept.code).toBe(0);
      expect(kept.stdout).toMatch(/Number of File Transfers Skipped: 1/);
      expect(await hashes()).toEqual(hashesOf({ "keep.bin": old }));
    },
  );

  it("File -> Blob with a token is copied by the service, which reads the file with the backup intent", async () => {
    const home = await testHome();
    const share = await createShare();
    const files = { "a.bin": randomBytes(3000), "d/b.bin": randomBytes(9 * 1024 * 1024 + 5) };
    const root = await writeTree(join(home, "t"), files);
    expect(
      (await runAzcp(["copy", `${root}/*`, share.sasUrl, "--recursive", "--from-to", "LocalFile"], home))
        .code,
    ).toBe(0);
    const container = await createContainer();
    const proxy = await proxyInFrontOfAzurite({ copyFromUrl: true });
    try {
      const env = spnEnv(uniqueTenant(), { AZCP_TRUSTED_MICROSOFT_SUFFIXES: "127.0.0.1" });
      const copied = await runAzcp(
        [
          "copy",
          share.url,
          `${proxy.origin}/${stack().accountName}/${container.name}`,
          "--recursive",
          "--as-subdir=false",
          "--from-to",
          "FileBlob",
        ],
        home,
        { env },
      );
      expect(copied.stderr).toBe("");
      expect(copied.code).toBe(0);
      const served = proxy.log.filter((entry) => entry.copyFromUrl?.sourceAuthorization === "bearer");
      // One Put Blob From URL for the small file, two Put Block From URL for the 9 MiB one.
      expect(served.length).toBe(3);
    } finally {
      await proxy.close();
    }
    expect(await blobHashes(container)).toEqual(hashesOf(files));
  });

  it("File -> File: --preserve-info carries SMB creation and last-write times and attributes", async () => {
    const home = await testHome();
    const source = await createShare();
    const destination = await createShare();
    await source.client.getDirectoryClient("smb").create();
    const file = source.client.getDirectoryClient("smb").getFileClient("f.txt");
    await file.create(3);
    await file.uploadRange(Buffer.from("smb"), 0, 3);
    await file.setProperties({
      creationTime: PAST,
      lastWriteTime: PAST,
      fileAttributes: FileSystemAttributes.parse("ReadOnly|Archive"),
    });
    const copied = await runAzcp(
      [
        "copy",
        at(source.sasUrl, "smb"),
        destination.sasUrl,
        "--recursive",
        "--from-to",
        "FileFile",
        "--preserve-info",
      ],
      home,
    );
    expect(copied.stderr).toBe("");
    expect(copied.code).toBe(0);
    const carried = await destination.client.getDirectoryClient("smb").getFileClient("f.txt").getProperties();
    expect(carried.fileCreatedOn?.toISOString()).toBe(PAST.toISOString());
    expect(carried.fileLastWriteOn?.toISOString()).toBe(PAST.toISOString());
    expect(
      carried.fileAttributes
        ?.split("|")
        .map((name) => name.trim())
        .sort(),
    ).toEqual(["Archive", "ReadOnly"]);
    expect(await shareHashes(destination)).toEqual(hashesOf({ "smb/f.txt": "smb" }));
  });

  it("File -> File: --preserve-permissions carries each file's and folder's security descriptor", async () => {
    const home = await testHome();
    const source = await createShare();
    const destination = await createShare();
    const folderSddl = "O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513D:(A;OICI;FA;;;SY)(A;OICI;0x1200a9;;;BU)";
    const fileSddl = "O:S-1-5-21-1-2-3-500G:S-1-5-21-1-2-3-513D:(A;;FA;;;SY)(A;;FR;;;S-1-5-21-1-2-3-1001)";
    await source.client.getDirectoryClient("secured").create({ filePermission: folderSddl });
    const file = source.client.getDirectoryClient("secured").getFileClient("f.txt");
    await file.create(4, { filePermission: fileSddl });
    await file.uploadRange(Buffer.from("sddl"), 0, 4);
    const copied = await runAzcp(
      [
        "copy",
        at(source.sasUrl, "secured"),
        destination.sasUrl,
        "--recursive",
        "--from-to",
        "FileFile",
        "--preserve-permissions",
      ],
      home,
    );
    expect(copied.stderr).toBe("");
    expect(copied.code).toBe(0);
    const folder = await destination.client.getDirectoryClient("secured").getProperties();
    const copiedFile = await destination.client
      .getDirectoryClient("secured")
      .getFileClient("f.txt")
      .getProperties();
    expect((await destination.client.getPermission(folder.filePermissionKey!)).permission).toBe(folderSddl);
    expect((await destination.client.getPermission(copiedFile.filePermissionKey!)).permission).toBe(fileSddl);
    expect(await shareHashes(destination)).toEqual(hashesOf({ "secured/f.txt": "sddl" }));
  });

  it("BlobFS: --preserve-permissions carries ACLs between file systems", async () => {
    const home = await testHome();
    const source = await createFileSystem();
    const destination = await createFileSystem();
    const file = source.client.getFileClient("acl/file.txt");
    await file.create();
    await file.append(Buffer.from("acl"), 0, 3);
    await file.flush(3);
    const acl = "user::rw-,user:11111111-2222-3333-4444-555555555555:r--,group::r--,mask::r--,other::---";
    await file.setAccessControl(
      acl.split(",").map((entry) => {
        const [kind, id, perms] = entry.split(":") as [string, string, string];
        return {
          accessControlType: kind as "user" | "group" | "mask" | "other",
          entityId: id,
          defaultScope: false,
          permissions: {
            read: perms.includes("r"),
            write: perms.includes("w"),
            execute: perms.includes("x"),
          },
        };
      }),
    );
    const copied = await runAzcp(
      [
        "copy",
        at(source.sasUrl, "acl"),
        destination.sasUrl,
        "--recursive",
        "--from-to",
        "BlobFSBlobFS",
        "--preserve-permissions",
      ],
      home,
    );
    expect(copied.stderr).toBe("");
    expect(copied.code).toBe(0);
    const carried = await destination.client.getFileClient("acl/file.txt").getAccessControl();
    const text = carried.acl
      .map(
        (entry) =>
          `${entry.accessControlType}:${entry.entityId}:${entry.permissions.read ? "r" : "-"}${entry.permissions.write ? "w" : "-"}${entry.permissions.execute ? "x" : "-"}`,
      )
      .join(",");
    expect(text).toBe(acl);

    const wrong = await runAzcp(
      [
        "copy",
        at(source.sasUrl, "acl"),
        join(home, "x"),
        "--recursive",
        "--from-to",
        "BlobFSLocal",
        "--preserve-permissions",
      ],
      home,
    );
    expect(wrong.code).toBe(1);
    expect(wrong.all).toMatch(
      /--preserve-permissions carries permissions between two Data Lake Storage locations/,
    );
  });

  it("File: a principal with the reader role may download, and an upload names the role it lacks", async () => {
    const home = await testHome();
    const { app, env } = await ownPrincipal();
    const share = await createShare();
    const root = await writeTree(join(home, "t"), { "a.txt": "alpha" });
    expect(
      (await runAzcp(["copy", `${root}/*`, share.sasUrl, "--recursive", "--from-to", "LocalFile"], home))
        .code,
    ).toBe(0);
    await restServer.setRoles(app.objectId, ["Storage File Data Privileged Reader"]);

    const down = join(home, "down");
    const read = await runAzcp(
      ["copy", `${share.url}/a.txt`, join(down, "a.txt"), "--from-to", "FileLocal"],
      home,
      { env },
    );
    expect(read.code).toBe(0);
    expect(await localHashes(down)).toEqual(hashesOf({ "a.txt": "alpha" }));

    const write = await runAzcp(
      ["copy", join(root, "a.txt"), `${share.url}/b.txt`, "--from-to", "LocalFile"],
      home,
      { env },
    );
    expect(write.code).toBe(1);
    expect(write.all).toMatch(/AuthorizationPermissionMismatch/);
    expect(write.all).toMatch(/allows writing here: assign it Storage File Data Privileged Contributor/);
    expect(write.all).toContain(app.objectId);
    expect(Object.keys(await shareHashes(share))).toEqual(["a.txt"]);
  });

  it("BlobFS: without a role an upload says an ACL can stand in, and with that ACL it works", async () => {
    const home = await testHome();
    const { app, env } = await ownPrincipal();
    const fileSystem = await createFileSystem();
    await fileSystem.client.getDirectoryClient("drop").create();
    await restServer.setRoles(app.objectId, []);
    const root = await writeTree(join(home, "t"), { "a.txt": "alpha" });

    const refused = await runAzcp(
      ["copy", join(root, "a.txt"), `${fileSystem.url}/drop/a.txt`, "--from-to", "LocalBlobFS"],
      home,
      {
        env,
      },
    );
    expect(refused.code).toBe(1);
    expect(refused.all).toMatch(
      /has no data role that allows writing here: assign it Storage Blob Data Contributor/,
    );
    expect(refused.all).toMatch(/ACL/);
    expect(refused.all).toMatch(/execute on the container and every parent directory/);

    const entry = (permissions: string, entityId = "") => ({
      accessControlType: entityId ? ("user" as const) : ("other" as const),
      entityId,
      defaultScope: false,
      permissions: {
        read: permissions.includes("r"),
        write: permissions.includes("w"),
        execute: permissions.includes("x"),
      },
    });
    const base = [
      { ...entry("rwx"), accessControlType: "user" as const },
      { ...entry("r-x"), accessControlType: "group" as const },
      entry("---"),
    ];
    await fileSystem.client.getDirectoryClient("/").setAccessControl([...base, entry("--x", app.objectId)]);
    await fileSystem.client
      .getDirectoryClient("drop")
      .setAccessControl([...base, entry("-wx", app.objectId)]);
    const allowed = await runAzcp(
      ["copy", join(root, "a.txt"), `${fileSystem.url}/drop/a.txt`, "--from-to", "LocalBlobFS"],
      home,
      {
        env,
      },
    );
    expect(allowed.stderr).toBe("");
    expect(allowed.code).toBe(0);
    expect(await fileSystemHashes(fileSystem, "drop")).toEqual(hashesOf({ "a.txt": "alpha" }));
  });
});
