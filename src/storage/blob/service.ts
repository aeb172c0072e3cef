// Blob Storage seen as a RemoteService: what a path names (one blob, or a prefix other blobs
// share), its sources and destinations, deletes and containers.
import { randomUUID } from "node:crypto";
import type { DataAction } from "../../auth/diagnose.js";
import type { RemoteLocation } from "../../location/location.js";
import type { HttpError } from "../../transport/http.js";
import type {
  AccessAttempt,
  BackendFeatures,
  DeleteOptions,
  Destination,
  ListedObject,
  PropertyChanges,
  RemoteEndpoint,
  RemoteService,
  Source,
  TreeSourceOptions,
} from "../backend.js";
import { BlobDestination, BlobSource, blobPath } from "./data.js";
import { type ListedBlob, listBlobs, listContainers } from "./listing.js";
import {
  type AccountInfo,
  accountInfo,
  createContainer,
  deleteBlob,
  setMetadata,
  setTags,
  setTier,
  statBlob,
  tierAllowed,
} from "./ops.js";

/** What Blob Storage can do, known before anything is opened. */
export const BLOB_FEATURES: BackendFeatures = {
  objectProperties: true,
  realFolders: false,
  wholeSecondTimes: true,
  pipes: true,
  setProperties: ["tier", "metadata", "tags"],
  createsContainer: true,
  posixMetadata: true,
  versions: true,
  listsContentEncoding: true,
};

function listed(path: string, blob: ListedBlob): ListedObject {
  return {
    path,
    size: blob.size,
    lastModified: blob.lastModified,
    properties: {
      versionId: blob.versionId,
      blobType: blob.blobType,
      accessTier: blob.accessTier,
      contentType: blob.contentType,
      contentEncoding: blob.contentEncoding,
      contentMd5: blob.contentMd5,
      leaseState: blob.leaseState,
      leaseDuration: blob.leaseDuration,
      leaseStatus: blob.leaseStatus,
      archiveStatus: blob.archiveStatus,
    },
  };
}

export class BlobService implements RemoteService {
  readonly realFolders = BLOB_FEATURES.realFolders;
  readonly pipes = true;

  constructor(private readonly endpoint: RemoteEndpoint) {}

  async isObject(path: string): Promise<boolean> {
    if (path === "" || path.endsWith("/")) return false;
    try {
      await this.endpoint.transport.send({
        method: "HEAD",
        path: blobPath(this.endpoint.location, path),
        expect: [200],
      });
      return true;
    } catch (error) {
      const { statusCode, code } = error as { statusCode?: number; code?: string };
      // A missing container is an error, not a sign that the path is a directory.
      if (statusCode === 404 && code !== "ContainerNotFound") return false;
      throw error;
    }
  }

  /** Whether blobs exist under "path/" (then a single file goes inside it, as into a folder). */
  async isDirectory(path: string): Promise<boolean> {
    const { location, transport } = this.endpoint;
    const prefix = path === "" || path.endsWith("/") ? path : `${path}/`;
    const response = await transport.send({
      method: "GET",
      path: blobPath(location, ""),
      query: { restype: "container", comp: "list", prefix, maxresults: "1" },
      expect: [200],
      text: true,
    });
    return /<Blob>/.test(response.text ?? "");
  }

  /** The blobs under the location (or every container's, for an account URL), or the one blob it names. */
  async *list(): AsyncGenerator<ListedObject> {
    const { location, transport } = this.endpoint;
    if (location.container !== undefined) {
      yield* this.listContainer(location, "");
      return;
    }
    for await (const name of listContainers(transport, location))
      yield* this.listContainer({ ...location, container: name, path: "" }, `${name}/`);
  }

  private async *listContainer(location: RemoteLocation, shownPrefix: string): AsyncGenerator<ListedObject> {
    const { transport } = this.endpoint;
    const directory = location.path;
    const prefix = directory === "" || directory.endsWith("/") ? directory : `${directory}/`;
    let found = false;
    for await (const blob of listBlobs(transport, location, { prefix })) {
      found = true;
      yield listed(shownPrefix + blob.name.slice(prefix.length), blob);
    }
    if (found || directory === "" || directory.endsWith("/")) return;
    // Not a virtual directory: perhaps the URL names one blob.
    const single = await statBlob(transport, location, directory);
    if (single) yield listed(directory.slice(directory.lastIndexOf("/") + 1), single);
  }

  async probeAccess(write: boolean): Promise<AccessAttempt[]> {
    const { location, transport } = this.endpoint;
    const attempts: AccessAttempt[] = [];
    const attempt = async (
      action: DataAction,
      operation: string,
      path: string,
      run: () => Promise<unknown>,
    ) => {
      try {
        await run();
        attempts.push({ action, operation, path });
      } catch (error) {
        // Reading or deleting a name that is not there was allowed: the service checks access first.
        const absent = (error as HttpError).statusCode === 404 && (action === "read" || action === "delete");
        attempts.push(absent ? { action, operation, path } : { action, operation, path, error });
      }
    };
    if (location.container === undefined) {
      await attempt("list", "list the containers of", "", () => listContainers(transport, location).next());
      return attempts;
    }
    const directory =
      location.path === "" || location.path.endsWith("/") ? location.path : `${location.path}/`;
    const marker = `${directory}.azcp-access-check-${randomUUID()}`;
    await attempt("list", "list blobs in", location.path, () =>
      listBlobs(transport, location, { prefix: directory, pageSize: 1, readAhead: false }).next(),
    );
    await attempt("read", "read blob properties in", location.path, () =>
      transport.send({ method: "HEAD", path: blobPath(location, `${marker}-absent`), expect: [200] }),
    );
    if (write) {
      await attempt("write", "write a blob in", location.path, () =>
        transport.send({
          method: "PUT",
          path: blobPath(location, marker),
          headers: { "x-ms-blob-type": "BlockBlob" },
          body: Buffer.alloc(0),
          expect: [201],
        }),
      );
      const wrote = attempts.at(-1)?.error === undefined;
      await attempt("delete", "delete a blob in", location.path, () =>
        deleteBlob(transport, location, wrote ? marker : `${marker}-absent`),
      );
    }
    return attempts;
  }

  source(options: TreeSourceOptions): Source {
    return new BlobSource({ ...this.endpoint, ...options });
  }

  destination(mode: "directory" | "file"): Destination {
    return new BlobDestination({
      location: this.endpoint.location,
      transport: this.endpoint.transport,
      mode,
    });
  }

  display(key: string): string {
    return this.endpoint.transport.displayUrl(blobPath(this.endpoint.location, key));
  }

  deleteObject(key: string, options: DeleteOptions = {}): Promise<void> {
    return deleteBlob(this.endpoint.transport, this.endpoint.location, key, options);
  }

  async probeWrite(): Promise<void> {
    const { location, transport } = this.endpoint;
    const directory =
      location.path === "" || location.path.endsWith("/")
        ? location.path
        : location.path.replace(/[^/]*$/, "");
    const name = `${directory}.azcp-write-check-${Date.now().toString(36)}`;
    try {
      await transport.send({
        method: "PUT",
        path: blobPath(location, name),
        query: { comp: "block", blockid: Buffer.from("azcp-write-check").toString("base64") },
        body: Buffer.from("0"),
        expect: [201],
      });
    } catch (error) {
      throw Object.assign(error as object, { probed: name });
    }
  }

  private account: Promise<AccountInfo | undefined> | undefined;

  async setProperties(key: string, changes: PropertyChanges): Promise<void> {
    const { transport, location } = this.endpoint;
    // As AzCopy, a tier the account cannot hold (a page tier on a standard account) is left alone.
    this.account ??= changes.tier === undefined ? undefined : accountInfo(transport, location, key);
    if (changes.tier !== undefined && tierAllowed(await this.account, changes.tier))
      await setTier(transport, location, key, changes.tier, changes.rehydratePriority);
    if (changes.metadata !== undefined) await setMetadata(transport, location, key, changes.metadata);
    if (changes.tags !== undefined) await setTags(transport, location, key, changes.tags);
  }

  createContainer(): Promise<boolean> {
    return createContainer(this.endpoint.transport, this.endpoint.location);
  }
}
