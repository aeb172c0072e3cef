// The azcp library: what `import { list } from "azcp"` gives. The CLI is a shell over these.
import { Authorizer } from "./auth/authorize.js";
import type { DeviceCodePrompt } from "./auth/credentials.js";
import { TrustedHosts } from "./auth/trusted-hosts.js";
import { badInput } from "./errors.js";
import { parseLocation, type ServiceKind } from "./location/location.js";
import { type Environment, readSetting } from "./settings.js";
import type { ListedObject } from "./storage/backend.js";

export type { DeviceCodePrompt } from "./auth/credentials.js";
export { AzcpError, type ErrorKind } from "./errors.js";
export type { ListedObject, ObjectProperties } from "./storage/backend.js";

/** Options every operation takes. */
export interface CommonOptions {
  /** Variables to read AZCOPY_* settings from (default: process.env). */
  env?: Environment;
  /** More host suffixes that may receive Microsoft Entra tokens (semicolon-separated). */
  trustedMicrosoftSuffixes?: string;
  /** Called when a device code sign-in needs the person to visit a page and enter a code. */
  onDeviceCode?: (prompt: DeviceCodePrompt) => void;
  /** Whether a person can answer a new device code prompt when a saved login has expired. */
  interactive?: boolean;
}

export type LocationKind = "Blob" | "File" | "BlobFS";

export interface ListOptions extends CommonOptions {
  /** The service, for URLs whose host does not say (emulators, IP addresses). */
  location?: LocationKind;
}

const SERVICE_OF_LOCATION: Record<LocationKind, ServiceKind> = { Blob: "blob", File: "file", BlobFS: "dfs" };

export function createAuthorizer(options: CommonOptions): Authorizer {
  const env = options.env ?? process.env;
  const suffixes = [options.trustedMicrosoftSuffixes, readSetting("AZCP_TRUSTED_MICROSOFT_SUFFIXES", env)]
    .filter((value): value is string => Boolean(value))
    .join(";");
  return new Authorizer({
    env,
    trustedHosts: new TrustedHosts(suffixes),
    hooks: options.onDeviceCode ? { onDeviceCode: options.onDeviceCode } : {},
    interactive: options.interactive ?? false,
  });
}

/**
 * Lists the blobs under a container, virtual directory or account URL, as a stream: entries
 * arrive while the listing runs. Paths are relative to the URL.
 */
export async function* list(url: string, options: ListOptions = {}): AsyncGenerator<ListedObject> {
  const location = parseLocation(
    url,
    options.location ? { serviceHint: SERVICE_OF_LOCATION[options.location] } : {},
  );
  if (location.type !== "remote") {
    throw badInput(
      `"${url}" is a local path; azcp list lists Azure Storage URLs.`,
      "Pass a container or directory URL.",
    );
  }
  if (location.service !== "blob") {
    throw badInput(
      `Listing ${location.service === "file" ? "Azure Files" : "Data Lake Storage"} is not supported yet.`,
      "List the account through its Blob endpoint (https://<account>.blob.core.windows.net/...).",
    );
  }
  const access = await createAuthorizer(options).accessFor(location, "source");
  const { listBlobs } = await import("./storage/blob.js");
  yield* listBlobs(location, access);
}
