// What `list` shows on a service with real directories (Azure Files, Data Lake): the files under
// a share, file system or directory, or the one file a URL names, relative to the URL.
import { badInput } from "../../errors.js";
import type { RemoteLocation } from "../../location/location.js";
import type { ListedObject, RemoteService } from "../backend.js";

export async function* listTree(
  service: RemoteService,
  location: RemoteLocation,
): AsyncGenerator<ListedObject> {
  if (location.container === undefined) {
    throw badInput(
      "azcp list needs a share or file system in the URL for Azure Files and Data Lake Storage.",
      "Pass https://<account>.<service>.core.windows.net/<share>.",
    );
  }
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
          keepDirectoryStubs: true,
        },
  );
  for await (const object of source.enumerate()) {
    if (object.folder) continue;
    yield {
      path: object.relativePath,
      size: object.size,
      lastModified: object.lastModified,
      properties: { contentMd5: object.contentMd5, contentType: object.headers?.contentType },
    };
  }
}
