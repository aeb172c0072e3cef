// A storage service (Blob, Files, Data Lake) as one side of a job, written once over what each
// service answers (RemoteService): what a URL names, where a copy writes, and a sync's listing.
import { AzcpError, badInput } from "../../errors.js";
import type { RemoteLocation } from "../../location/location.js";
import { wildcardTest } from "../../location/wildcard.js";
import {
  type Backend,
  type BackendFeatures,
  type DeleteOptions,
  type Destination,
  directoryNeedsRecursive,
  type ListedObject,
  type RemoteEndpoint,
  type RemoteService,
  type ResolvedSource,
  type Source,
  type SourceObject,
  type SourceOptions,
  type TreeSourceOptions,
} from "../backend.js";
import { AccountDestination, AccountSource, accountContainers } from "./account.js";

export class RemoteBackend implements Backend {
  readonly features: BackendFeatures;
  readonly description: string;
  readonly serviceUrl: string;

  constructor(
    private readonly endpoint: RemoteEndpoint,
    private readonly service: RemoteService,
    /** Makes the service for another location on the same account (a --list-of-files line). */
    private readonly serviceAt: (endpoint: RemoteEndpoint) => RemoteService,
    features: BackendFeatures,
    /** Opens another container of the service where it is served (S3: each bucket in its region). */
    private readonly placeAt?: (location: RemoteLocation) => Promise<RemoteEndpoint>,
  ) {
    this.features = features;
    this.description = service.display(endpoint.location.path);
    this.serviceUrl = endpoint.location.accountUrl;
  }

  child(relativePath: string): Backend {
    const base = this.endpoint.location.path.replace(/\/+$/, "");
    const endpoint = {
      ...this.endpoint,
      location: { ...this.endpoint.location, path: base ? `${base}/${relativePath}` : relativePath },
    };
    return new RemoteBackend(endpoint, this.serviceAt(endpoint), this.serviceAt, this.features, this.placeAt);
  }

  async resolveSource(options: SourceOptions): Promise<ResolvedSource> {
    const { location } = this.endpoint;
    const service = this.service;
    const common = {
      withMetadata: options.withMetadata,
      withMd5: options.withMd5 ?? false,
      withFolders: (options.withFolders ?? false) && service.realFolders,
      withAcl: options.withAcl ?? false,
      keepDirectoryStubs: options.includeDirectoryStubs ?? false,
      withTags: options.withTags ?? false,
      softDeleted: options.softDeleted,
    };
    if (location.container === undefined) return this.resolveAccount(options.recursive, common);
    const segments = location.path.split("/");
    const nameFilter = wildcardTest(segments.at(-1) ?? "");
    if (nameFilter) {
      const parent = segments.slice(0, -1).join("/");
      return {
        source: service.source({
          ...common,
          prefix: parent ? `${parent}/` : "",
          relativePrefix: "",
          recursive: options.recursive,
          nameFilter,
        }),
        single: false,
        rootName: "",
      };
    }
    // Listed versions are read one by one: the base blob itself may be gone.
    if (options.versionIds || (await service.isObject(location.path))) {
      return {
        source: service.source({
          ...common,
          single: location.path,
          prefix: "",
          relativePrefix: "",
          recursive: false,
          versionIds: options.versionIds,
        }),
        single: true,
        rootName: "",
      };
    }
    const directory = location.path.replace(/\/+$/, "");
    if (directory !== "" && !location.path.endsWith("/") && !(await service.isDirectory(directory))) {
      throw new AzcpError(
        "not-found",
        `${service.display(location.path)}: The specified file was not found.`,
        {
          remedy: "Check the name: no file, blob or directory has it.",
          statusCode: 404,
        },
      );
    }
    if (!options.recursive)
      throw directoryNeedsRecursive(
        location.path === "" ? `The container ${location.container}` : location.path,
      );
    const rootName = options.asSubdir ? await this.ownName() : "";
    return {
      source: service.source({
        ...common,
        prefix: directory ? `${directory}/` : "",
        relativePrefix: rootName,
        recursive: true,
      }),
      single: false,
      rootName,
    };
  }

  /** Every container (bucket) of the account, for services that can list them (S3, Cloud Storage). */
  private async resolveAccount(
    recursive: boolean,
    common: Omit<TreeSourceOptions, "prefix" | "relativePrefix" | "recursive">,
  ): Promise<ResolvedSource> {
    const { service, endpoint } = this;
    if (!service.listContainers)
      throw badInput(
        "Copying a whole storage account is not supported yet.",
        "Copy one container, share or file system at a time: https://<account>.<service>.core.windows.net/<container>.",
      );
    if (!recursive)
      throw badInput(
        "A copy of every bucket of an account is recursive, and --recursive is not set.",
        "Add --recursive.",
      );
    const containers = await accountContainers(
      service as RemoteService & { listContainers(): AsyncIterable<string> },
      endpoint.location.service,
    );
    return {
      source: new AccountSource(
        this.description,
        containers,
        (container) => this.sourceServiceIn(container),
        common,
      ),
      single: false,
      rootName: "",
      accountWide: true,
    };
  }

  /** The service for one container of this account. */
  private serviceIn(container: string): RemoteService {
    const location = { ...this.endpoint.location, container, path: "" };
    return this.serviceAt({ ...this.endpoint, location });
  }

  /** One container of an account being copied, opened where the service serves it. */
  private async sourceServiceIn(container: string): Promise<RemoteService> {
    if (!this.placeAt) return this.serviceIn(container);
    return this.serviceAt(await this.placeAt({ ...this.endpoint.location, container, path: "" }));
  }

  async ownName(): Promise<string> {
    const { location } = this.endpoint;
    const directory = location.path.replace(/\/+$/, "");
    if (directory === "") return location.container ?? "";
    if (await this.service.isObject(directory)) return "";
    return directory.slice(directory.lastIndexOf("/") + 1);
  }

  async destination(
    single: boolean,
    options: { accountWide?: boolean | undefined } = {},
  ): Promise<Destination> {
    const { location } = this.endpoint;
    // A tree copied to an account: its first folder level names the containers.
    if (location.container === undefined && options.accountWide)
      return new AccountDestination(this.description, (container) => this.serviceIn(container));
    if (location.container === undefined) {
      throw badInput(
        "The destination URL names no container.",
        "Add a container, share or file system to the URL: https://<account>.<service>.core.windows.net/<container>.",
      );
    }
    const namesObject =
      single &&
      location.path !== "" &&
      !location.path.endsWith("/") &&
      !(await this.service.isDirectory(location.path));
    return this.service.destination(namesObject ? "file" : "directory");
  }

  syncListing(options: { recursive: boolean; withMd5: boolean; withMetadata: boolean }): Source {
    const directory = this.endpoint.location.path.replace(/\/+$/, "");
    const listing = this.service.source({
      prefix: directory ? `${directory}/` : "",
      relativePrefix: "",
      recursive: options.recursive,
      withMetadata: options.withMetadata,
      withMd5: options.withMd5,
    });
    // A missing prefix lists as empty on Blob; a missing directory is an error where folders are real.
    return this.service.realFolders
      ? new EmptyIfMissing(listing, () => this.service.isDirectory(directory))
      : listing;
  }

  async ensureContainer(): Promise<void> {
    if (this.endpoint.location.container === undefined || !this.features.createsContainer) return;
    // A container that exists answers 409; one the credential may not create, 403: both are fine.
    await this.service.createContainer({}).catch(() => undefined);
  }

  list(): AsyncIterable<ListedObject> {
    return this.service.list();
  }

  deleteListed(object: SourceObject, options?: DeleteOptions): Promise<void> {
    return this.service.deleteObject(object.key, options);
  }

  get probeWrite(): (() => Promise<void>) | undefined {
    const probe = this.service.probeWrite;
    return probe ? () => probe.call(this.service) : undefined;
  }
}

/** A destination directory that does not exist yet on a service with real folders lists as empty. */
class EmptyIfMissing implements Source {
  readonly description: string;
  constructor(
    private readonly inner: Source,
    private readonly exists: () => Promise<boolean>,
  ) {
    this.description = inner.description;
  }
  async *enumerate(): AsyncGenerator<SourceObject> {
    // Only a missing top directory means "empty": one vanishing mid-walk must fail the sync.
    if (await this.exists()) yield* this.inner.enumerate();
  }
  read(object: SourceObject, offset: number, length: number, into: Buffer): Promise<void> {
    return this.inner.read(object, offset, length, into);
  }
  display(object: SourceObject): string {
    return this.inner.display(object);
  }
}
