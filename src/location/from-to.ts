// AzCopy's --from-to: a pair of location kinds (LocalBlob, BlobFSLocal, PipeBlob, ...), which
// also names the service of a URL whose host does not say it (an emulator, an IP address).
import { badInput } from "../errors.js";
import { type Location, parseLocation, type RemoteLocation, type ServiceKind } from "./location.js";

export type LocationKind = "Local" | "Blob" | "BlobFS" | "File" | "Pipe" | "Http" | "S3" | "GCP";

const KINDS: readonly LocationKind[] = ["Local", "Blob", "BlobFS", "File", "Pipe", "Http", "S3", "GCP"];
const SERVICES: Partial<Record<LocationKind, ServiceKind>> = {
  Blob: "blob",
  File: "file",
  BlobFS: "dfs",
  Http: "http",
  S3: "s3",
  GCP: "gcs",
};

export function splitFromTo(fromTo: string): [LocationKind, LocationKind] {
  const match = /^(Local|BlobFS|Blob|File|Pipe|Http|S3|GCP)(Local|BlobFS|Blob|File|Pipe|Http|S3|GCP)$/i.exec(
    fromTo,
  );
  if (!match) {
    throw badInput(
      `--from-to "${fromTo}" is not a pair azcp knows.`,
      "Use a pair of Local, Blob, File and BlobFS (LocalBlob, FileLocal, BlobFile, BlobFSBlobFS, ...), PipeBlob / BlobPipe, or S3Blob / GCPBlob.",
    );
  }
  const canonical = (word: string) => KINDS.find((known) => known.toLowerCase() === word.toLowerCase())!;
  return [canonical(match[1]!), canonical(match[2]!)];
}

/** Parses one side of a copy, checked against what --from-to says it is. */
export function locationFor(text: string, kind: LocationKind | undefined, side: string): Location {
  const service = kind ? SERVICES[kind] : undefined;
  const location = parseLocation(text, service ? { serviceHint: service } : {});
  if (kind === "Local" && location.type !== "local") {
    throw badInput(
      `--from-to says the ${side} is local, but "${text}" is a URL.`,
      "Fix --from-to or the location.",
    );
  }
  if (kind && kind !== "Local" && kind !== "Pipe" && location.type !== "remote") {
    throw badInput(
      `--from-to says the ${side} is ${kind}, but "${text}" is a local path.`,
      "Fix --from-to or the location.",
    );
  }
  return location;
}

/** The URL of a container, share or file system itself (make). */
export function containerLocation(url: string, service: ServiceKind | undefined): RemoteLocation {
  const location = parseLocation(url, service ? { serviceHint: service } : {});
  if (location.type !== "remote" || location.container === undefined || location.path !== "") {
    throw badInput(
      `"${url}" is not a container, share or file system URL.`,
      "Pass https://<account>.<service>.core.windows.net/<name>.",
    );
  }
  return location;
}

/** A location that must be a storage service URL with a container (remove, set-properties, make). */
export function serviceLocation(
  url: string,
  what: string,
  service: ServiceKind | undefined,
  options: { containerOptional?: boolean } = {},
): RemoteLocation {
  const location = parseLocation(url, service ? { serviceHint: service } : {});
  if (location.type !== "remote")
    throw badInput(
      `${what} works on Azure Storage URLs, and "${url}" is a local path.`,
      "Pass a blob, file, directory, container or share URL.",
    );
  if (location.container === undefined && !options.containerOptional)
    throw badInput(
      `${what} needs a container, share or file system in the URL.`,
      "Pass https://<account>.<service>.core.windows.net/<container>/...",
    );
  return location;
}
