// A whole account (or another cloud's whole service) as one side of a copy: as a source, every
// container or bucket it lists, each under the container name it becomes; as a destination, a
// container per first path segment, made when first written to.
import { badInput } from "../../errors.js";
import { containerNamesFor, isValidContainerName } from "../../location/container-names.js";
import type {
  Destination,
  ExistingObject,
  ObjectWriter,
  RemoteService,
  Source,
  SourceObject,
  TreeSourceOptions,
  WriteOptions,
} from "../backend.js";
import { RoutedSource, routedTo } from "./routed-source.js";

/** Every container of a service, in listing order, each under the name it gets at the destination. */
export class AccountSource extends RoutedSource {
  constructor(
    readonly description: string,
    private readonly containers: Map<string, string>,
    private readonly serviceFor: (container: string) => Promise<RemoteService>,
    private readonly options: Omit<TreeSourceOptions, "prefix" | "relativePrefix" | "recursive">,
  ) {
    super();
  }

  async *enumerate(): AsyncGenerator<SourceObject> {
    for (const [container, name] of this.containers) {
      const source: Source = (await this.serviceFor(container)).source({
        ...this.options,
        prefix: "",
        relativePrefix: name,
        recursive: true,
      });
      for await (const object of source.enumerate()) yield routedTo(object, source);
    }
  }
}

/** The containers of `service` and the valid names they keep at a destination. */
export async function accountContainers(
  service: RemoteService & { listContainers(): AsyncIterable<string> },
  kind: Parameters<typeof containerNamesFor>[1],
): Promise<Map<string, string>> {
  const names: string[] = [];
  for await (const name of service.listContainers()) names.push(name);
  return containerNamesFor(names, kind);
}

/** Relative paths' first segment names the container; each is made (if missing) before its first write. */
export class AccountDestination implements Destination {
  private readonly opened = new Map<string, { destination: Destination; ready: Promise<void> }>();
  private readonly sample: Destination;
  copyFromUrl: boolean;
  readonly recordsContentTime: boolean | undefined;
  readonly blobTypes: boolean;
  readonly createsIfAbsent: boolean;
  readonly maxChunkSize: number | undefined;

  constructor(
    readonly description: string,
    private readonly serviceFor: (container: string) => RemoteService,
  ) {
    // What every container's destination can do, read from one of them.
    this.sample = serviceFor("sample").destination("directory");
    this.copyFromUrl = this.sample.copyFromUrl;
    this.recordsContentTime = this.sample.recordsContentTime;
    this.blobTypes = this.sample.blobTypes;
    this.createsIfAbsent = this.sample.createsIfAbsent;
    this.maxChunkSize = this.sample.maxChunkSize;
  }

  private open(container: string): { destination: Destination; ready: Promise<void> } {
    let entry = this.opened.get(container);
    if (!entry) {
      const service = this.serviceFor(container);
      // A container that exists answers 409; one the credential may not create, 403: the writes say.
      const ready = service.createContainer({}).then(
        () => undefined,
        () => undefined,
      );
      entry = { destination: service.destination("directory"), ready };
      this.opened.set(container, entry);
    }
    return entry;
  }

  private split(key: string): [string, string] {
    const slash = key.indexOf("/");
    return slash < 0 ? [key, ""] : [key.slice(0, slash), key.slice(slash + 1)];
  }

  keyFor(relativePath: string): string {
    const [container, rest] = this.split(relativePath);
    if (!isValidContainerName(container) || rest === "")
      throw badInput(
        `"${relativePath}" would go into a container named "${container}", which is not a valid container name.`,
        "Name a container in the destination URL (https://<account>.blob.core.windows.net/<container>).",
      );
    return `${container}/${this.open(container).destination.keyFor(rest)}`;
  }

  display(key: string): string {
    const [container, rest] = this.split(key);
    return this.open(container).destination.display(rest);
  }

  async stat(key: string): Promise<ExistingObject | undefined> {
    const [container, rest] = this.split(key);
    const { destination, ready } = this.open(container);
    await ready;
    return destination.stat(rest);
  }

  async writer(key: string, options: WriteOptions): Promise<ObjectWriter> {
    const [container, rest] = this.split(key);
    const { destination, ready } = this.open(container);
    await ready;
    return destination.writer(rest, options);
  }

  tierAllowed(tier: string): Promise<boolean> {
    return this.sample.tierAllowed?.(tier) ?? Promise.resolve(true);
  }
}
