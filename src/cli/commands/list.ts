// azcp list (ls): list a container, a virtual directory, or an account's containers.
import type { Command } from "commander";
import type { ListedObject } from "../../api.js";
import type { OptionsFor } from "../../options/table.js";
import { addFlags, flagsFor } from "../flags.js";
import { formatByteSize, formatRfc3339, formatServiceTime } from "../format.js";
import { signInOptions } from "../library-options.js";
import { runCommand } from "../run.js";

/** Property name -> how to read it; JSON output uses this order. */
const PROPERTIES: Record<string, (entry: ListedObject) => string | undefined> = {
  LastModifiedTime: (entry) => entry.lastModified?.toISOString(),
  VersionId: (entry) => entry.properties.versionId,
  BlobType: (entry) => entry.properties.blobType,
  BlobAccessTier: (entry) => entry.properties.accessTier,
  ContentType: (entry) => entry.properties.contentType,
  ContentEncoding: (entry) => entry.properties.contentEncoding,
  ContentMD5: (entry) => entry.properties.contentMd5,
  LeaseState: (entry) => entry.properties.leaseState,
  LeaseDuration: (entry) => entry.properties.leaseDuration,
  LeaseStatus: (entry) => entry.properties.leaseStatus,
  ArchiveStatus: (entry) => entry.properties.archiveStatus,
};

type ListFlags = OptionsFor<"list">;

export function registerList(program: Command): void {
  const command = program
    .command("list")
    .alias("ls")
    .summary("List the blobs in a container or virtual directory")
    .description(
      "List the blobs under a container, virtual directory or account URL, with their sizes and, on request, their properties.",
    )
    .argument("<url>", "container, directory or account URL (with a SAS, or signed in)");
  addFlags(command, flagsFor("list")).action(async (url: string, flags: ListFlags, self: Command) =>
    runCommand(self, async ({ globals, output }) => {
      const { list } = await import("../../api.js");
      const wanted = (flags.properties ?? "")
        .split(";")
        .map((name) => name.trim())
        .filter((name) => name in PROPERTIES);
      const size = (bytes: number) =>
        flags.machineReadable ? String(bytes) : formatByteSize(bytes, Boolean(flags.megaUnits));
      let count = 0;
      let total = 0;
      for await (const entry of list(url, {
        ...(flags.location ? { location: flags.location } : {}),
        ...(flags.trailingDot ? { trailingDot: flags.trailingDot as "Enable" | "Disable" } : {}),
        ...signInOptions(globals, output),
      })) {
        count++;
        total += entry.size;
        const text = [
          entry.path,
          ...wanted.map((name) => {
            const value =
              name === "LastModifiedTime" && entry.lastModified
                ? formatServiceTime(entry.lastModified)
                : PROPERTIES[name]!(entry);
            return `${name}: ${value ?? ""}`;
          }),
          `Content Length: ${size(entry.size)}`,
        ].join("; ");
        const json: Record<string, string> = { Path: entry.path };
        for (const name of Object.keys(PROPERTIES)) {
          if (!wanted.includes(name)) continue;
          json[name] =
            name === "LastModifiedTime" && entry.lastModified
              ? formatRfc3339(entry.lastModified)
              : (PROPERTIES[name]!(entry) ?? "");
        }
        json.ContentLength = size(entry.size);
        output.result(text, "ListObject", json);
        await output.drained();
      }
      if (flags.runningTally) {
        if (output.json)
          output.message("ListSummary", { FileCount: String(count), TotalFileSize: size(total) });
        else output.result(`\nFile count: ${count}\nTotal file size: ${size(total)}`);
      }
      output.endOfJob();
      return 0;
    }),
  );
}
