// azcp list on services with real directories (Azure Files, Data Lake): the files under a share,
// file system or directory, or the one file a URL names, with paths relative to the URL.
import type { Access } from "../auth/authorize.js";
import { badInput } from "../errors.js";
import type { RemoteLocation } from "../location/location.js";
import type { Environment } from "../settings.js";
import type { ListedObject } from "../storage/backend.js";
import { remoteService } from "../storage/registry.js";
import { JobEnvironment } from "./job-environment.js";

export async function* listTree(
  location: RemoteLocation,
  access: Access,
  env: Environment,
): AsyncGenerator<ListedObject> {
  if (location.container === undefined) {
    throw badInput(
      "azcp list needs a share or file system in the URL for Azure Files and Data Lake Storage.",
      "Pass https://<account>.<service>.core.windows.net/<share>.",
    );
  }
  const job = new JobEnvironment({ env, logLevel: "NONE", commandLine: "list" });
  const endpoint = job.endpoint(location, access, "source")!;
  const service = remoteService(endpoint);
  try {
    const single = await service.isObject(location.path);
    const directory = location.path.replace(/\/+$/, "");
    const source = service.source(
      single
        ? { single: location.path, prefix: "", relativePrefix: "", recursive: false, withMetadata: false }
        : {
            prefix: directory ? `${directory}/` : "",
            relativePrefix: "",
            recursive: true,
            withMetadata: false,
          },
    );
    for await (const object of source.enumerate()) {
      yield {
        path: object.relativePath,
        size: object.size,
        lastModified: object.lastModified,
        properties: { contentMd5: object.contentMd5, contentType: object.headers?.contentType },
      };
    }
  } catch (error) {
    throw await job.explain(Object.assign(error as object, { method: "GET" }), undefined, "");
  }
}
