// Storage Explorer's own client library (@azure-tools/azcopy-node) drives azcp, and the real
// AzCopy, through the same scenarios on the same Azurite: what the client reads must agree.
import { randomBytes } from "node:crypto";
import { chmod, mkdir, readdir } from "node:fs/promises";
import { join } from "node:path";
import {
  AzCopyClient,
  type ICopyJobInfo,
  type ICopyOptions,
  type ILocalLocation,
  type IRemoteSasLocation,
} from "@azure-tools/azcopy-node";
import { describe, expect, it } from "vitest";
import { azcopyPath, runAzcopy } from "../support/azcopy.js";
import {
  AZCP_BIN,
  blobHashes,
  createContainer,
  dfsSas,
  hashesOf,
  localHashes,
  runAzcp,
  stack,
  type TestContainer,
  testHome,
  writeTree,
} from "../support/harness.js";

type Tool = "azcp" | "azcopy";
const TOOLS: Tool[] = ["azcp", "azcopy"];
const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

const TREE = {
  "a.txt": "alpha",
  "dir/b.bin": randomBytes(70_000),
  "dir/sub/c.json": '{"c":1}',
  "with space/ü.txt": "unicode",
};

async function clientFor(tool: Tool, home: string): Promise<AzCopyClient> {
  const envVars: Record<string, string> = {
    AZCOPY_LOG_LOCATION: join(home, `${tool}-logs`),
    AZCOPY_JOB_PLAN_LOCATION: join(home, `${tool}-plans`),
    HOME: home,
    ...(tool === "azcopy" ? { SSL_CERT_FILE: stack().caCertPath } : { AZCP_LOGIN_STORE: "file" }),
  };
  if (tool === "azcopy") await chmod(azcopyPath(), 0o755);
  return new AzCopyClient({ exe: tool === "azcp" ? AZCP_BIN : azcopyPath(), envVars: envVars as never });
}

function remote(container: TestContainer, path: string): IRemoteSasLocation {
  return {
    type: "RemoteSas",
    resourceUri: container.url,
    path,
    sasToken: container.sasUrl().split("?")[1]!,
    useWildCard: false,
  };
}

function local(path: string): ILocalLocation {
  return { type: "Local", path, useWildCard: false };
}

/** Polls as Storage Explorer does, until EndOfJob; `each` sees every poll (answer prompts, cancel). */
async function finished(
  client: AzCopyClient,
  jobId: string,
  each: (info: ICopyJobInfo) => Promise<void> = async () => undefined,
  timeoutMs = 60_000,
): Promise<ICopyJobInfo> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const info = await client.getJobInfo(jobId);
    if (info.latestStatus?.StatusType === "EndOfJob") return info;
    await each(info);
    if (Date.now() > deadline) throw new Error(`no EndOfJob in ${timeoutMs} ms: ${JSON.stringify(info)}`);
    await sleep(100);
  }
}

/** What the client shows a person: everything but ids, times and speeds. */
function shown(info: ICopyJobInfo) {
  const status = info.latestStatus!;
  return {
    JobStatus: status.JobStatus,
    TotalTransfers: status.TotalTransfers,
    TransfersCompleted: status.TransfersCompleted,
    TransfersFailed: status.TransfersFailed,
    TransfersSkipped: status.TransfersSkipped,
    TotalBytesTransferred: status.TotalBytesTransferred,
    failed: (status.FailedTransfers ?? []).length,
    skipped: (status.SkippedTransfers ?? []).length,
    errorMessage: info.errorMessage,
    hasLog: Boolean(info.logFileLocation),
    hasJobId: Boolean(info.azCopyJobId),
  };
}

const UPLOAD: ICopyOptions = { fromTo: "LocalBlob", recursive: true };

describe.concurrent("driven by Storage Explorer's client library", () => {
  it("uploads and downloads a nested tree, then skips or overwrites on answers given through the client", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const outcomes = await Promise.all(
      TOOLS.map(async (tool) => {
        const client = await clientFor(tool, home);
        const container = await createContainer();
        const up = await finished(client, await client.copy(local(root), remote(container, ""), UPLOAD));
        const down = join(home, `${tool}-down`);
        await mkdir(down);
        const back = await finished(
          client,
          await client.copy(remote(container, "/tree"), local(down), {
            fromTo: "BlobLocal",
            recursive: true,
          }),
        );
        const skipped = await finished(
          client,
          await client.copy(local(root), remote(container, ""), { ...UPLOAD, overwriteExisting: "false" }),
        );
        const prompts: string[] = [];
        const asked = await client.copy(local(root), remote(container, ""), {
          ...UPLOAD,
          overwriteExisting: "prompt",
        });
        const overwritten = await finished(client, asked, async (info) => {
          const prompt = info.promptMessage;
          if (!prompt) return;
          prompts.push(prompt.PromptDetails.PromptType);
          await client.resolveConflict(asked, prompts.length === 1 ? "y" : "a");
        });
        return {
          up: shown(up),
          back: shown(back),
          skipped: shown(skipped),
          overwritten: shown(overwritten),
          prompts,
          stored: await blobHashes(container),
          downloaded: await localHashes(join(down, "tree")),
        };
      }),
    );
    const [azcp, azcopy] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
    expect(azcp.stored).toEqual(
      Object.fromEntries(Object.entries(hashesOf(TREE)).map(([k, v]) => [`tree/${k}`, v])),
    );
    expect(azcp.downloaded).toEqual(hashesOf(TREE));
    expect(azcp.stored).toEqual(azcopy.stored);
    expect(azcp.downloaded).toEqual(azcopy.downloaded);
    expect(azcp.up).toMatchObject({ JobStatus: "Completed", TransfersCompleted: 4, errorMessage: undefined });
    expect(azcp.skipped).toMatchObject({
      JobStatus: "CompletedWithSkipped",
      TransfersSkipped: 4,
      skipped: 4,
    });
    expect(azcp.overwritten).toMatchObject({ JobStatus: "Completed", TransfersCompleted: 4 });
    expect(azcp.prompts).toEqual(["Overwrite", "Overwrite"]);
    // Field by field, the client shows the same thing for both tools.
    for (const step of ["up", "back", "skipped", "overwritten"] as const)
      expect(azcp[step], step).toEqual(azcopy[step]);
    expect(azcp.prompts).toEqual(azcopy.prompts);
  }, 120_000);

  it("shows progress of a capped job, changes the cap live, cancels it, and removes the job", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "big"), { "big.bin": randomBytes(12 * 1024 * 1024) });
    const outcomes = await Promise.all(
      TOOLS.map(async (tool) => {
        const client = await clientFor(tool, home);
        const container = await createContainer();
        const id = await client.copy(local(root), remote(container, ""), { ...UPLOAD, capMbps: 8 });
        let sawProgress: ICopyJobInfo["latestStatus"];
        let adjusted = false;
        let cancelled = false;
        const end = await finished(client, id, async (info) => {
          if (info.latestStatus?.StatusType === "Progress" && !sawProgress) sawProgress = info.latestStatus;
          if (sawProgress && !adjusted) {
            adjusted = true;
            await client.adjustCapMbps(id, 9);
          }
          if (info.capMbps === 9 && !cancelled) {
            cancelled = true;
            await client.cancelJob(id);
          }
        });
        const plans = join(home, `${tool}-plans`);
        await client.jobsRemove(end.azCopyJobId!);
        const left = (await readdir(plans).catch(() => [])).filter((name) => name.includes(end.azCopyJobId!));
        return {
          progress: sawProgress?.JobStatus,
          capMbps: end.capMbps,
          end: shown(end),
          canceled: end.canceled,
          plansLeft: left,
        };
      }),
    );
    const [azcp, azcopy] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
    expect(azcp.progress).toBe("InProgress");
    expect(azcp.capMbps).toBe(9);
    expect(azcp.end).toMatchObject({ JobStatus: "Cancelled", errorMessage: undefined, TransfersFailed: 0 });
    expect(azcp.plansLeft).toEqual([]);
    expect({ ...azcp, end: { ...azcp.end, TotalBytesTransferred: 0 } }).toEqual({
      ...azcopy,
      end: { ...azcopy.end, TotalBytesTransferred: 0 },
    });
  }, 120_000);

  it("removes a tree, and reports why a job could not start", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), TREE);
    const outcomes = await Promise.all(
      TOOLS.map(async (tool) => {
        const client = await clientFor(tool, home);
        const container = await createContainer();
        await finished(client, await client.copy(local(root), remote(container, ""), UPLOAD));
        const removed = await finished(
          client,
          await client.delete(remote(container, "/tree"), { recursive: true, fromTo: "BlobTrash" }),
        );
        const missing = {
          ...remote(container, ""),
          resourceUri: `${stack().blobEndpoint}/no-such-container`,
          sasToken: dfsSas(),
        };
        const noContainer = await finished(
          client,
          await client.copy(missing, local(join(home, `${tool}-nothing`)), {
            fromTo: "BlobLocal",
            recursive: true,
          }),
        );
        const noSource = await finished(
          client,
          await client.copy(local(join(home, "no-such-dir")), remote(container, ""), UPLOAD),
        );
        return {
          removed: shown(removed),
          left: await blobHashes(container),
          noContainer: noContainer.errorMessage,
          noSource: noSource.errorMessage,
        };
      }),
    );
    const [azcp, azcopy] = outcomes as [(typeof outcomes)[0], (typeof outcomes)[0]];
    expect(azcp.removed).toMatchObject({ JobStatus: "Completed", TransfersCompleted: 4 });
    expect(azcp.removed, JSON.stringify([azcp, azcopy])).toEqual(azcopy.removed);
    expect(azcp.left).toEqual({});
    expect(azcopy.left).toEqual({});
    // The reason reaches the client, with AzCopy's prefix, not "UnexpectedQuit".
    expect(azcopy.noContainer).toMatch(/^Cannot perform copy due to error: /);
    expect(azcp.noContainer).toMatch(/^Cannot perform copy due to error: .*container does not exist/);
    expect(azcopy.noSource).toMatch(/^Cannot perform copy due to error: /);
    expect(azcp.noSource).toMatch(/^Cannot perform copy due to error: .*does not exist/);
  }, 120_000);
});

describe("jobs commands as the wrappers call them", () => {
  it("say what AzCopy says for an unknown job and for cleaning by status", async () => {
    const home = await testHome();
    const id = "0a1b2c3d-0000-4000-8000-000000000000";
    for (const args of [
      ["jobs", "remove", id],
      ["jobs", "clean", "--with-status", "failed"],
      ["jobs", "clean"],
    ]) {
      const azcp = await runAzcp(args, home);
      const azcopy = await runAzcopy(args, home);
      const lines = (text: string) =>
        text.split("\n").filter((line) => line.trim() && !line.startsWith("INFO: "));
      expect(azcp.code, args.join(" ")).toBe(azcopy.code);
      expect(lines(azcp.all)[0], args.join(" ")).toBe(lines(azcopy.stdout)[0]);
    }
  });
});
