// The one place that picks a backend by service: everything else asks the RemoteService it gets.
import type { ServiceKind } from "../location/location.js";
import type { RemoteEndpoint, RemoteService } from "./backend.js";
import { BlobService } from "./blob/service.js";
import { DataLakeService } from "./datalake/datalake.js";
import { FILES_TOKEN_HEADERS, FilesService } from "./files/files.js";

export function remoteService(endpoint: RemoteEndpoint): RemoteService {
  switch (endpoint.location.service) {
    case "file":
      return new FilesService(endpoint);
    case "dfs":
      return new DataLakeService(endpoint);
    default:
      return new BlobService(endpoint);
  }
}

/** Headers a service requires on every request signed with a token. */
export function tokenHeadersFor(service: ServiceKind): Record<string, string> | undefined {
  return service === "file" ? { ...FILES_TOKEN_HEADERS } : undefined;
}

/** Whether a service keeps directories of its own (so empty ones can be copied). */
export function hasRealFolders(service: ServiceKind): boolean {
  return service !== "blob";
}
