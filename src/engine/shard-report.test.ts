import { mkdtemp, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import type { AzcpError } from "../errors.js";
import { locationFor } from "../location/from-to.js";
import { openBackend } from "../storage/registry.js";
import {
  type ReportFolderOpener,
  type ShardReport,
  shardReportName,
  summarizeShards,
} from "./shard-report.js";

/** Local folders only: nothing to sign in to. */
const openLocal: ReportFolderOpener = (folder) =>
  openBackend(locationFor(folder, undefined, "report"), {
    authorize: () => Promise.reject(new Error("no sign-in here")),
    transport: () => {
      throw new Error("no transport here");
    },
  });

function report(index: number, count: number, status: string, counts: Record<string, string>): ShardReport {
  return {
    ShardIndex: index,
    ShardCount: count,
    Command: "copy",
    FinishedAt: "2026-12-01T00:00:00.000Z",
    EndOfJob: {
      JobStatus: status,
      TotalTransfers: "0",
      TransfersCompleted: "0",
      TransfersFailed: "0",
      TransfersSkipped: "0",
      TotalBytesTransferred: "0",
      FailedTransfers: [],
      ...counts,
    } as unknown as ShardReport["EndOfJob"],
  };
}

async function folderWith(reports: ShardReport[], extra: Record<string, string> = {}): Promise<string> {
  const folder = await mkdtemp(join(tmpdir(), "azcp-reports-"));
  for (const each of reports)
    await writeFile(
      join(folder, shardReportName({ index: each.ShardIndex, count: each.ShardCount })),
      JSON.stringify(each),
    );
  for (const [name, content] of Object.entries(extra)) await writeFile(join(folder, name), content);
  return folder;
}

describe("azcp shards summary", () => {
  it("adds the shards' counters up, past what a number holds exactly", async () => {
    const big = "9007199254740993"; // 2^53 + 1
    const folder = await folderWith(
      [0, 1, 2].map((index) =>
        report(index, 3, "Completed", {
          TotalTransfers: "10",
          TransfersCompleted: "10",
          TotalBytesTransferred: big,
        }),
      ),
      { "notes.txt": "not a report" },
    );
    const merged = await summarizeShards(openLocal, folder);
    expect(merged).toMatchObject({ ShardCount: 3, ShardsReported: 3, ShardsMissing: [], ShardsFailed: [] });
    expect(merged.JobStatus).toBe("Completed");
    expect(merged.Totals.TransfersCompleted).toBe("30");
    expect(merged.Totals.TotalBytesTransferred).toBe("27021597764222979");
  });

  it("names failed and missing shards, and the status says so", async () => {
    const failed = report(1, 4, "CompletedWithErrors", { TotalTransfers: "5", TransfersFailed: "2" });
    failed.EndOfJob.FailedTransfers = [
      {
        Src: "a",
        Dst: "b",
        IsFolderProperties: false,
        TransferStatus: "Failed",
        TransferSize: 1,
        ErrorCode: "403",
      },
    ];
    const withErrors = await summarizeShards(
      openLocal,
      await folderWith([report(0, 2, "Completed", {}), { ...failed, ShardCount: 2 }]),
    );
    expect(withErrors).toMatchObject({
      ShardsFailed: [1],
      ShardsMissing: [],
      JobStatus: "CompletedWithErrors",
    });
    expect(withErrors.FailedTransfers).toHaveLength(1);

    const missing = await summarizeShards(openLocal, await folderWith([report(0, 3, "Completed", {})]));
    expect(missing).toMatchObject({ ShardsMissing: [1, 2], JobStatus: "Failed" });
  });

  it("refuses a folder that mixes jobs, a report that is not JSON, and a folder without reports", async () => {
    const said = async (folder: Promise<string>) =>
      summarizeShards(openLocal, await folder).then(
        () => "",
        (error: AzcpError) => error.describe(),
      );
    expect(await said(folderWith([report(0, 2, "Completed", {}), report(0, 3, "Completed", {})]))).toMatch(
      /reports of jobs split 2 and 3 ways/,
    );
    expect(await said(folderWith([], { "shard-00000-of-00002.json": "{" }))).toMatch(
      /shard-00000-of-00002\.json in .* is not a shard report/,
    );
    expect(await said(folderWith([]))).toMatch(/holds no shard reports/);
    expect(await said(Promise.resolve(join(tmpdir(), "azcp-no-such-folder")))).toMatch(/does not exist/);
  });
});
