// Azure Blob Storage through @azure/storage-blob: clients authorized by SAS, token or nothing,
// and a streaming listing.
import type { BlobItem, BlobServiceClient, ContainerClient } from "@azure/storage-blob";

type BlobItemProperties = BlobItem["properties"];

import { randomUUID } from "node:crypto";
import type { Access } from "../../auth/authorize.js";
import type { DataAction } from "../../auth/diagnose.js";
import type { AzcpError } from "../../errors.js";
import type { RemoteLocation } from "../../location/location.js";
import { VERSION } from "../../version.js";
import type { ListedObject } from "../backend.js";
import { storageFailure } from "../rest/failure.js";

export async function blobServiceClient(
  location: RemoteLocation,
  access: Access,
): Promise<BlobServiceClient> {
  const { AnonymousCredential, BlobServiceClient } = await import("@azure/storage-blob");
  const options = {
    userAgentOptions: { userAgentPrefix: `azcp/${VERSION}` },
    keepAliveOptions: { enable: true },
    retryOptions: { maxTries: 5, retryDelayInMs: 500, maxRetryDelayInMs: 30_000 },
  };
  switch (access.kind) {
    case "sas":
      return new BlobServiceClient(
        `${location.accountUrl}?${location.sas}`,
        new AnonymousCredential(),
        options,
      );
    case "token":
      return new BlobServiceClient(location.accountUrl, access.credential, options);
    case "anonymous":
      return new BlobServiceClient(location.accountUrl, new AnonymousCredential(), options);
  }
}

/** Every blob under the location's path, with paths relative to it; sorted by name. */
export async function* listBlobs(location: RemoteLocation, access: Access): AsyncGenerator<ListedObject> {
  const service = await blobServiceClient(location, access);
  const containers =
    location.container === undefined ? listContainerNames(service, location, access) : [location.container];
  for await (const name of containers) {
    const container = service.getContainerClient(name);
    const prefixPath = location.container === undefined ? `${name}/` : "";
    yield* listContainer(container, location, access, prefixPath);
  }
}

async function* listContainerNames(service: BlobServiceClient, location: RemoteLocation, access: Access) {
  try {
    for await (const page of service.listContainers().byPage({ maxPageSize: 5000 })) {
      for (const item of page.containerItems) yield item.name;
    }
  } catch (error) {
    throw await storageFailure(error, {
      location,
      access,
      operation: "list the containers of",
      action: "list",
    });
  }
}

async function* listContainer(
  container: ContainerClient,
  location: RemoteLocation,
  access: Access,
  displayPrefix: string,
): AsyncGenerator<ListedObject> {
  const directory = location.container === undefined ? "" : location.path;
  const prefix = directory === "" || directory.endsWith("/") ? directory : `${directory}/`;
  try {
    let found = false;
    for await (const page of container.listBlobsFlat({ prefix }).byPage({ maxPageSize: 5000 })) {
      for (const item of page.segment.blobItems) {
        found = true;
        yield toListedObject(displayPrefix + item.name.slice(prefix.length), item.properties, item.versionId);
      }
    }
    if (!found && directory !== "" && !directory.endsWith("/")) {
      // Not a virtual directory: perhaps the URL names one blob.
      const single = await container
        .getBlobClient(directory)
        .getProperties()
        .catch((error) => {
          if ((error as { statusCode?: number }).statusCode === 404) return undefined;
          throw error;
        });
      if (single) {
        yield toListedObject(
          directory.slice(directory.lastIndexOf("/") + 1),
          {
            ...single,
            contentMD5: single.contentMD5,
            accessTier: single.accessTier as BlobItemProperties["accessTier"],
            archiveStatus: single.archiveStatus as BlobItemProperties["archiveStatus"],
          },
          single.versionId,
        );
      }
    }
  } catch (error) {
    throw await storageFailure(error, {
      location: { ...location, container: container.containerName },
      access,
      operation: "list blobs in",
      action: "list",
      path: directory,
    });
  }
}

function toListedObject(
  path: string,
  p: Partial<BlobItemProperties>,
  versionId: string | undefined,
): ListedObject {
  return {
    path,
    size: p.contentLength ?? 0,
    lastModified: p.lastModified,
    properties: {
      versionId,
      blobType: p.blobType,
      accessTier: p.accessTier,
      contentType: p.contentType,
      contentEncoding: p.contentEncoding,
      contentMd5: p.contentMD5 ? Buffer.from(p.contentMD5).toString("base64") : undefined,
      leaseState: p.leaseState,
      leaseDuration: p.leaseDuration,
      leaseStatus: p.leaseStatus,
      archiveStatus: p.archiveStatus,
    },
  };
}

export interface AccessCheck {
  action: DataAction;
  allowed: boolean;
  /** Why not, with the fix, when denied. */
  error?: AzcpError;
}

/**
 * Try each data operation at the location with requests that change nothing a user keeps: list
 * one entry, read the properties of a name that does not exist (404 means the read was allowed),
 * and, with write, create and delete a uniquely named empty marker blob.
 */
export async function probeBlobAccess(
  location: RemoteLocation,
  access: Access,
  write: boolean,
): Promise<AccessCheck[]> {
  const service = await blobServiceClient(location, access);
  const checks: AccessCheck[] = [];
  const attempt = async (
    action: DataAction,
    operation: string,
    path: string,
    run: () => Promise<unknown>,
  ) => {
    try {
      await run();
      checks.push({ action, allowed: true });
    } catch (error) {
      const status = (error as { statusCode?: number }).statusCode;
      if ((action === "read" || action === "delete") && status === 404)
        checks.push({ action, allowed: true });
      else
        checks.push({
          action,
          allowed: false,
          error: await storageFailure(error, { location, access, operation, action, path }),
        });
    }
  };
  if (location.container === undefined) {
    await attempt("list", "list the containers of", "", () =>
      service.listContainers().byPage({ maxPageSize: 1 }).next(),
    );
    return checks;
  }
  const container = service.getContainerClient(location.container);
  const directory = location.path === "" || location.path.endsWith("/") ? location.path : `${location.path}/`;
  const marker = `${directory}.azcp-access-check-${randomUUID()}`;
  await attempt("list", "list blobs in", location.path, () =>
    container.listBlobsFlat({ prefix: directory }).byPage({ maxPageSize: 1 }).next(),
  );
  await attempt("read", "read blob properties in", location.path, () =>
    container.getBlobClient(`${marker}-absent`).getProperties(),
  );
  if (write) {
    await attempt("write", "write a blob in", location.path, () =>
      container.getBlockBlobClient(marker).upload(Buffer.alloc(0), 0),
    );
    const wrote = checks.at(-1)?.allowed === true;
    await attempt("delete", "delete a blob in", location.path, () =>
      container.getBlobClient(wrote ? marker : `${marker}-absent`).delete(),
    );
  }
  return checks;
}
