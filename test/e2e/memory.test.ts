// Memory stays bounded whatever the number of files: a copy of 20,000 files and a sync of
// 20,000 entries, and dry runs over a million synthetic objects, measured as the process's peak
// RSS (GNU time), azcp started as people start it (its own launcher, with its heap flags). The
// bounds are loose on purpose (they must not flake); bench/RESULTS.md has the measured figures.
import { mkdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import {
  BlobServiceClient,
  ContainerSASPermissions,
  generateBlobSASQueryParameters,
  StorageSharedKeyCredential,
} from "@azure/storage-blob";
import { describe, expect, it } from "vitest";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, startAzurite } from "../support/azurite.js";
import { AZCP_BIN, runProcess, testHome } from "../support/harness.js";
import { startSyntheticBlobServer } from "../support/synthetic-blob-server.js";

const COUNT = 20_000;
// Measured: about 125 MB for the copy and 185 MB for the sync (V8 lets the heap grow; it runs in 40 MB of old space).
const BOUND_MB = 300;

async function manyFiles(root: string): Promise<void> {
  for (let d = 0; d < 40; d++) {
    const directory = join(root, `d${String(d).padStart(2, "0")}`);
    await mkdir(directory, { recursive: true });
    await Promise.all(
      Array.from({ length: COUNT / 40 }, (_, i) =>
        writeFile(join(directory, `f${String(i).padStart(4, "0")}`), `${d}-${i}`),
      ),
    );
  }
}

async function peakRss(
  args: string[],
  home: string,
): Promise<{ mb: number; code: number | null; stdout: string }> {
  const timeFile = join(home, "time.txt");
  const result = await runProcess("/usr/bin/time", ["-f", "%M", "-o", timeFile, AZCP_BIN, ...args], home, {
    timeoutMs: 480_000,
  });
  return {
    mb: Number((await readFile(timeFile, "utf8")).trim().split("\n").at(-1)) / 1024,
    code: result.code,
    stdout: result.stdout,
  };
}

const MILLION = 1_000_000;
const MILLION_BOUND_MB = 200;

describe("memory", () => {
  it(`list, copy, sync and remove dry runs over ${MILLION} objects stay under ${MILLION_BOUND_MB} MB`, {
    timeout: 600_000,
  }, async () => {
    const home = await testHome();
    const { url, server } = await startSyntheticBlobServer(MILLION);
    const source = `${url}?sv=2025-01-05&sig=synthetic`;
    try {
      const runs = {
        list: await peakRss(["list", source, "--running-tally", "--machine-readable"], home),
        copy: await peakRss(
          ["copy", source, join(home, "down"), "--recursive", "--dry-run", "--output-type", "json"],
          home,
        ),
        sync: await peakRss(["sync", source, home, "--dry-run", "--output-type", "json"], home),
        remove: await peakRss(["remove", source, "--recursive", "--dry-run", "--output-type", "json"], home),
      };
      process.stdout.write(
        `peak RSS over ${MILLION} objects: ${Object.entries(runs)
          .map(([name, run]) => `${name} ${run.mb.toFixed(0)} MB`)
          .join(", ")}\n`,
      );
      for (const [name, run] of Object.entries(runs)) {
        expect(run.code, name).toBe(0);
        expect(run.mb, name).toBeLessThan(MILLION_BOUND_MB);
      }
      expect(runs.list.stdout).toContain(`File count: ${MILLION}`);
      // A dry run prints one line per object: every one was planned.
      for (const name of ["copy", "sync", "remove"] as const)
        expect(runs[name].stdout.split('"MessageType":"Dryrun"').length - 1, name).toBe(MILLION);
    } finally {
      server.close();
    }
  });

  it(`a copy of ${COUNT} files and a sync of ${COUNT} entries stay under ${BOUND_MB} MB`, {
    timeout: 900_000,
  }, async () => {
    const home = await testHome();
    const root = join(home, "many");
    await manyFiles(root);
    // A private Azurite: 20,000 blobs would slow the shared one down for every other test.
    const azurite = await startAzurite({});
    try {
      const credential = new StorageSharedKeyCredential(DEV_ACCOUNT, DEV_ACCOUNT_KEY);
      const container = new BlobServiceClient(azurite.blobEndpoint, credential).getContainerClient("many");
      await container.create();
      const sas = generateBlobSASQueryParameters(
        {
          containerName: "many",
          permissions: ContainerSASPermissions.parse("racwdl"),
          expiresOn: new Date(Date.now() + 3600_000),
        },
        credential,
      ).toString();
      const url = `${azurite.blobEndpoint}/many?${sas}`;
      await measure(root, url, home, container);
    } finally {
      await azurite.stop();
    }
  });
});

async function measure(
  root: string,
  url: string,
  home: string,
  container: import("@azure/storage-blob").ContainerClient,
) {
  {
    const copy = await peakRss(
      ["copy", `${root}/*`, url, "--recursive", "--output-level", "essential"],
      home,
    );
    expect(copy.code).toBe(0);
    expect(copy.stdout).toContain(`Number of File Transfers Completed: ${COUNT}`);
    let stored = 0;
    for await (const _ of container.listBlobsFlat()) stored++;
    expect(stored).toBe(COUNT);
    // Everything is in sync now: both sides are listed and compared, nothing is copied.
    const sync = await peakRss(["sync", root, url, "--output-level", "essential"], home);
    expect(sync.code).toBe(0);
    expect(sync.stdout).toContain(`Files Scanned at Source: ${COUNT}`);
    expect(sync.stdout).toContain(`Files Scanned at Destination: ${COUNT}`);
    process.stdout.write(
      `peak RSS: copy of ${COUNT} files ${copy.mb.toFixed(0)} MB, sync of ${COUNT} entries ${sync.mb.toFixed(0)} MB\n`,
    );
    expect(copy.mb).toBeLessThan(BOUND_MB);
    expect(sync.mb).toBeLessThan(BOUND_MB);
  }
}
