// Azure Blob Storage through @azure/storage-blob: clients authorized by SAS, token or nothing,
// and a streaming listing.
import type { BlobItem, BlobServiceClient, ContainerClient } from "@azure/storage-blob";

type BlobItemProperties = BlobItem["properties"];

import type { Access } from "../auth/authorize.js";
import { type RemoteLocation, remoteUrl, sasExpiry } from "../location/location.js";
import { VERSION } from "../version.js";
import type { ListedObject } from "./backend.js";
import { serviceError } from "./service-errors.js";

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
    throw serviceError(error, {
      operation: "list the containers of",
      target: location.accountUrl,
      access: access.kind,
      sasExpiresOn: sasExpiry(location.sas),
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
    throw serviceError(error, {
      operation: "list blobs in",
      target: remoteUrl({ ...location, path: directory }),
      access: access.kind,
      sasExpiresOn: sasExpiry(location.sas),
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
