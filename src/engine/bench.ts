// azcp bench: AzCopy's built-in benchmark. Upload mode sends files generated in memory to the
// target (and deletes them afterwards); download mode reads what the target holds and keeps
// none of it. It runs as a copy job does, so its summary and its limits are a copy's.
import type { Authorizer } from "../auth/authorize.js";
import { badInput } from "../errors.js";
import type { LogLevel } from "../jobs/job-log.js";
import { serviceLocation } from "../location/from-to.js";
import { bytesOption, countOption } from "../options/read.js";
import type { OptionsFor } from "../options/table.js";
import { parseSizeWithUnit } from "../options/values.js";
import type { Environment } from "../settings.js";
import { discardingDestination, generatedSource, openBackend } from "../storage/registry.js";
import { compileFilter, objectFilter } from "./filters.js";
import { CopyJob } from "./job.js";
import { JobEnvironment } from "./job-environment.js";
import type { TransferSettings } from "./transfer.js";

export type BenchJobOptions = OptionsFor<"bench"> & {
  authorizer: Authorizer;
  env: Environment;
  capMbps?: number | undefined;
  logLevel?: LogLevel | undefined;
  commandLine?: string | undefined;
};

export interface BenchJob {
  job: CopyJob;
  /** Where an upload benchmark put its files (under the target), to delete afterwards. */
  folder: string | undefined;
  bytesPerFile: number;
}

export async function createBenchJob(target: string, options: BenchJobOptions): Promise<BenchJob> {
  const location = serviceLocation(target, "azcp bench", undefined);
  const upload = (options.mode ?? "Upload") === "Upload";
  const count = countOption("bench", "fileCount", options.fileCount ?? 100)!;
  const size = parseSizeWithUnit(String(options.sizePerFile ?? "250M"), "--size-per-file");
  const folders = Number(options.numberOfFolders ?? 0);
  if (!Number.isInteger(folders) || folders < 0)
    throw badInput(
      `--number-of-folders "${options.numberOfFolders}" is not a whole number.`,
      "Pass 0 or more.",
    );
  const job = new JobEnvironment({
    env: options.env,
    logLevel: options.logLevel,
    commandLine: options.commandLine ?? `bench ${target}`,
    capMbps: options.capMbps,
  });
  const role = upload ? "destination" : "source";
  const backend = await openBackend(location, job.openContext(options.authorizer, role));
  const folder = upload ? `azcp-bench-${job.jobId}` : undefined;
  const source = upload
    ? generatedSource({ count, size, folders, root: folder! })
    : (
        await backend.resolveSource({
          recursive: true,
          asSubdir: false,
          followSymlinks: false,
          withMetadata: false,
        })
      ).source;
  const destination = upload ? await backend.destination(false) : discardingDestination();
  if (upload) await backend.ensureContainer?.();
  const settings: TransferSettings = {
    jobId: job.jobId,
    direction: upload ? "upload" : "download",
    overwrite: "true",
    blockSize: bytesOption("bench", "blockSizeMb", options.blockSizeMb),
    putBlobSize: bytesOption("bench", "putBlobSizeMb", options.putBlobSizeMb),
    blobType: options.blobType ?? "Detect",
    headers: { contentType: "application/octet-stream" },
    guessMimeType: false,
    putMd5: upload && (options.putMd5 ?? false),
    checkMd5: "NoCheck",
    preserveLastModifiedTime: false,
    s2sPreserveProperties: false,
    s2sPreserveAccessTier: false,
    preserveInfo: false,
    preservePermissions: false,
  };
  return {
    job: new CopyJob({
      ...job.copyJobParts(),
      source,
      destination,
      settings,
      filter: objectFilter(await compileFilter({}), { single: false, rootName: "" }),
      dryRun: false,
    }),
    folder,
    bytesPerFile: upload ? size : 0,
  };
}
