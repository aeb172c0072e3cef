// Blob Storage seen as a RemoteService: what a path names (one blob, or a prefix other blobs
// share), its sources and destinations, deletes and containers.
import type { Destination, RemoteEndpoint, RemoteService, Source, TreeSourceOptions } from "../backend.js";
import { BlobDestination, BlobSource, blobPath } from "./data.js";
import { createContainer, deleteBlob } from "./ops.js";

export class BlobService implements RemoteService {
  readonly realFolders = false;

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

  deleteObject(key: string, options: { snapshots?: "include" | "only" | undefined } = {}): Promise<void> {
    return deleteBlob(this.endpoint.transport, this.endpoint.location, key, options.snapshots);
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

  createContainer(): Promise<boolean> {
    return createContainer(this.endpoint.transport, this.endpoint.location);
  }
}
