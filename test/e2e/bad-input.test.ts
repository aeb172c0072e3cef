// Bad input of every kind gives a clear message (cause and fix) and a non-zero exit, and
// nothing is written outside the destination.

import { chmod, copyFile, cp, mkdir, readdir, readFile, writeFile } from "node:fs/promises";
import { request } from "node:https";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import {
  AZCP_BIN,
  blobHashes,
  createContainer,
  emulator,
  runAzcp,
  runProcess,
  spnEnv,
  stack,
  testHome,
  uniqueName,
  uniqueTenant,
} from "../support/harness.js";

const TRUST_LOCAL = ["--trusted-microsoft-suffixes", "127.0.0.1"];

async function fails(args: string[], pattern: RegExp, env: Record<string, string | undefined> = {}) {
  const home = await testHome();
  const result = await runAzcp(args, home, {
    env: { AZCP_RETRY_DELAY_MS: "50", AZCP_MAX_TRIES: "2", ...env },
  });
  expect(result.code, result.all).not.toBe(0);
  expect(result.all).toMatch(pattern);
  return { result, home };
}

/** Put a blob under a raw (percent-encoded) name, as a hostile container could hold. */
async function putRawName(sasUrl: string, rawPath: string, body: string): Promise<number> {
  const [base, sas] = sasUrl.split("?");
  const ca = await readFile(stack().caCertPath);
  return new Promise((resolve, reject) => {
    const req = request(
      `${base}/${rawPath}?${sas}`,
      {
        method: "PUT",
        ca,
        headers: {
          "x-ms-blob-type": "BlockBlob",
          "x-ms-version": "2025-11-05",
          "content-length": body.length,
        },
      },
      (res) => {
        res.resume();
        res.on("end", () => resolve(res.statusCode ?? 0));
      },
    );
    req.on("error", reject);
    req.end(body);
  });
}

describe.concurrent("bad input", () => {
  it("a malformed URL", async () => {
    await fails(
      ["copy", "https://exa mple.com/c/x", "/tmp/x"],
      /is not a valid URL\. Check the URL's spelling/,
    );
  });

  it("an unknown host", async () => {
    await fails(
      ["copy", "https://nosuchaccount123.blob.core.windows.net/c/x?sv=1&sig=abc", "out"],
      /could not be reached \(ENOTFOUND\)\. Check the URL's host name/,
    );
  });

  it("a container that does not exist", async () => {
    const home = await testHome();
    await writeFile(join(home, "f.txt"), "x");
    const container = await createContainer();
    // A SAS signed for the container, which is then deleted: valid, for a container that is gone.
    const missing = container.sasUrl();
    await container.service.getContainerClient(container.name).delete();
    const up = await runAzcp(["copy", join(home, "f.txt"), missing], home);
    expect(up.code).toBe(1);
    expect(up.all).toMatch(/the container does not exist \(404 ContainerNotFound\)/);
    const down = await runAzcp(["copy", missing.replace("?", "/f.txt?"), join(home, "g.txt")], home);
    expect(down.code).toBe(1);
    expect(down.all).toMatch(/container does not exist/);
  });

  it("an expired SAS, a malformed SAS, and a SAS without write permission", async () => {
    const home = await testHome();
    await writeFile(join(home, "f.txt"), "x");
    const container = await createContainer();
    const expired = await runAzcp(
      ["copy", join(home, "f.txt"), container.sasUrl("rw", new Date(Date.now() - 60_000))],
      home,
    );
    expect(expired.code).toBe(1);
    expect(expired.all).toMatch(/SAS token expired at/);
    const malformed = await runAzcp(
      ["copy", join(home, "f.txt"), container.sasUrl().replace(/sig=[^&]+/, "sig=bm90IGEgc2lnbmF0dXJl")],
      home,
    );
    expect(malformed.code).toBe(1);
    expect(malformed.all).toMatch(/rejected the SAS token|refused/);
    const readOnly = await runAzcp(["copy", join(home, "f.txt"), container.sasUrl("rl")], home);
    expect(readOnly.code).toBe(1);
    expect(readOnly.all).toMatch(/SAS does not grant this operation|refused|not allowed/);
  });

  it("a token for the wrong audience", async () => {
    const tenant = uniqueTenant();
    await emulator.addFault({ match: { tenant }, type: "wrong_audience" });
    const container = await createContainer();
    await fails(
      ["list", container.url, ...TRUST_LOCAL],
      /rejected the Microsoft Entra token \(403 AuthenticationFailed/,
      spnEnv(tenant),
    );
  });

  it("conflicting flags and flags that do not apply", async () => {
    const container = await createContainer();
    await fails(
      ["copy", container.sasUrl().replace("?", "/x?"), "out", "--put-md5"],
      /--put-md5 applies to uploads only/,
    );
    await fails(
      [
        "copy",
        "/tmp",
        container.sasUrl(),
        "--recursive",
        "--list-of-files",
        "/dev/null",
        "--include-path",
        "a",
      ],
      /cannot be combined/,
    );
    await fails(
      ["copy", "/tmp", container.sasUrl(), "--overwrite", "sometimes"],
      /Use one of: true, false, prompt, ifSourceNewer/,
    );
    await fails(["copy", `/tmp/nothing-here-${uniqueName()}`, container.sasUrl()], /does not exist/);
    await fails(["copy", "/tmp", "/var/tmp"], /Both locations are local/);
  });

  it("odd block sizes", async () => {
    const container = await createContainer();
    for (const size of ["0", "-1", "abc"]) {
      await fails(
        ["copy", "/etc/hostname", container.sasUrl(), "--block-size-mb", size],
        /is not a positive number of MiB\. Pass a size such as 8/,
      );
    }
    await fails(
      ["copy", "/etc/hostname", container.sasUrl(), "--block-size-mb", "5000"],
      /larger than the service allows \(4000 MiB\)\. Pass 4000 or less/,
    );
  });

  it("an unreadable local file fails alone, with the cause, and the rest is copied", async () => {
    // Tests may run as root, who reads everything: run azcp as nobody, with the CA in a place nobody can read.
    const home = await testHome();
    await chmod(home, 0o777);
    const root = join(home, "tree");
    await mkdir(root, { mode: 0o755 });
    await writeFile(join(root, "readable.txt"), "fine", { mode: 0o644 });
    await writeFile(join(root, "locked.txt"), "secret");
    await chmod(join(root, "locked.txt"), 0o000);
    const ca = join(home, "ca.pem");
    await copyFile(stack().caCertPath, ca);
    await chmod(ca, 0o644);
    // The checkout may sit in a folder only its owner can enter: give nobody its own copy of the CLI.
    const app = join(home, "app");
    const checkout = join(AZCP_BIN, "..", "..");
    for (const part of ["package.json", "bin", join("dist", "bundle")]) {
      await cp(join(checkout, part), join(app, part), { recursive: true });
    }
    await chmodTree(app);
    const container = await createContainer();
    const asNobody =
      process.getuid?.() === 0
        ? (["setpriv", ["--reuid=65534", "--regid=65534", "--clear-groups", process.execPath]] as const)
        : ([process.execPath, []] as const);
    const result = await runProcess(
      asNobody[0],
      [
        ...asNobody[1],
        join(app, "bin", "azcp.js"),
        "copy",
        root,
        container.sasUrl(),
        "--recursive",
        "--as-subdir=false",
      ],
      home,
      {
        env: { NODE_EXTRA_CA_CERTS: ca, SSL_CERT_FILE: ca },
      },
    );
    expect(result.code, result.all).toBe(1);
    expect(result.all).toMatch(/locked\.txt.*permission denied \(EACCES\)/i);
    expect(result.stdout).toContain("Final Job Status: CompletedWithErrors");
    expect(Object.keys(await blobHashes(container))).toEqual(["readable.txt"]);
  });

  it("names that would escape the destination are refused and nothing lands outside it", async () => {
    const container = await createContainer();
    await container.upload("fine/ok.txt", "ok");
    const statuses = [
      await putRawName(container.sasUrl(), "%2E%2E/escaped-dotdot.txt", "evil"),
      await putRawName(container.sasUrl(), "%2Fabsolute-escape.txt", "evil"),
      await putRawName(container.sasUrl(), "a/%2E%2E/%2E%2E/escaped-deep.txt", "evil"),
    ];
    const home = await testHome();
    const target = join(home, "inside", "deeper");
    const result = await runAzcp(
      ["copy", container.sasUrl(), target, "--recursive", "--as-subdir=false"],
      home,
    );
    const accepted = statuses.filter((status) => status === 201).length;
    if (accepted > 0) {
      expect(result.code).toBe(1);
      expect(result.stderr).toMatch(/cannot be saved safely/);
    }
    expect(await readFile(join(target, "fine", "ok.txt"), "utf8")).toBe("ok");
    // Nothing above the destination, nothing at the filesystem root.
    expect((await readdir(join(home, "inside"))).sort()).toEqual(["deeper"]);
    expect(await readdir(home)).not.toContain("escaped-dotdot.txt");
    await expect(readFile("/absolute-escape.txt")).rejects.toThrow();
  });
});

/** Make a folder tree readable (and its folders enterable) by everyone. */
async function chmodTree(folder: string): Promise<void> {
  await chmod(folder, 0o755);
  for (const entry of await readdir(folder, { withFileTypes: true })) {
    const path = join(folder, entry.name);
    if (entry.isDirectory()) await chmodTree(path);
    else await chmod(path, 0o644);
  }
}
