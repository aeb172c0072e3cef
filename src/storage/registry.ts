// The one place that knows which backend serves a location: everything else asks the Backend
// (or, for in-place commands, the RemoteService) it is given. A new backend is one line here.
import type { Access } from "../auth/authorize.js";
import type { Location, RemoteLocation, ServiceKind } from "../location/location.js";
import type { ObjectHeaders, RestTransport } from "../transport/http.js";
import type {
  Backend,
  BackendFeatures,
  Destination,
  RemoteEndpoint,
  RemoteService,
  Source,
} from "./backend.js";
import { DiscardingDestination, type GeneratedOptions, GeneratedSource } from "./bench/generated.js";
import { BLOB_FEATURES, BlobService } from "./blob/service.js";
import { DATALAKE_FEATURES, DataLakeService } from "./datalake/datalake.js";
import { FILES_FEATURES, FILES_TOKEN_HEADERS, FilesService } from "./files/files.js";
import { gcsService } from "./gcs/gcs.js";
import { HTTP_FEATURES, HttpService } from "./http/http.js";
import { LOCAL_FEATURES, LocalBackend } from "./local/backend.js";
import { CLOUD_FEATURES } from "./rest/cloud-source.js";
import { objectPath } from "./rest/object.js";
import { RemoteBackend } from "./rest/remote-backend.js";
import { inBucketRegion, s3Service } from "./s3/s3.js";

interface ServiceEntry {
  features: BackendFeatures;
  create(endpoint: RemoteEndpoint): RemoteService;
  /** Headers the service requires on every request signed with a token. */
  tokenHeaders?: Record<string, string>;
  /** Never signed in: no credential of the user goes to it. */
  anonymous?: boolean;
  /** Where the location is really served, asked of the service before it is opened (S3's regions). */
  place?(location: RemoteLocation, transport: RestTransport): Promise<RemoteLocation>;
}

const SERVICES: Record<ServiceKind, ServiceEntry> = {
  blob: { features: BLOB_FEATURES, create: (endpoint) => new BlobService(endpoint) },
  file: {
    features: FILES_FEATURES,
    create: (endpoint) => new FilesService(endpoint),
    tokenHeaders: FILES_TOKEN_HEADERS,
  },
  dfs: { features: DATALAKE_FEATURES, create: (endpoint) => new DataLakeService(endpoint) },
  http: { features: HTTP_FEATURES, create: (endpoint) => new HttpService(endpoint), anonymous: true },
  s3: { features: CLOUD_FEATURES, create: s3Service, place: inBucketRegion },
  gcs: { features: CLOUD_FEATURES, create: gcsService },
};

export function remoteService(endpoint: RemoteEndpoint): RemoteService {
  return SERVICES[endpoint.location.service].create(endpoint);
}

/** What a location's backend can do, before anything is opened or signed in. */
export function featuresOf(location: Location): BackendFeatures {
  return location.type === "local" ? LOCAL_FEATURES : SERVICES[location.service].features;
}

/** What opening a service location needs from the job: a sign-in, and a transport. */
export interface OpenContext {
  authorize(location: RemoteLocation): Promise<Access>;
  transport(location: RemoteLocation, access: Access): RestTransport;
}

/** A service location signed in to, at the place the service says it is served from. */
async function openEndpoint(given: RemoteLocation, context: OpenContext): Promise<RemoteEndpoint> {
  const entry = SERVICES[given.service];
  const signIn = async (location: RemoteLocation): Promise<RemoteEndpoint> => {
    const access: Access = entry.anonymous ? { kind: "anonymous" } : await context.authorize(location);
    return { location, access, transport: context.transport(location, access) };
  };
  const endpoint = await signIn(given);
  const placed = entry.place ? await entry.place(given, endpoint.transport) : given;
  return placed === given ? endpoint : signIn(placed);
}

/** Opens one side of a job; for a service, signs in first. */
export async function openBackend(location: Location, context: OpenContext): Promise<Backend> {
  if (location.type === "local") return new LocalBackend(location);
  const endpoint = await openEndpoint(location, context);
  const placeAt = SERVICES[location.service].place
    ? (other: RemoteLocation) => openEndpoint(other, context)
    : undefined;
  return new RemoteBackend(endpoint, remoteService(endpoint), remoteService, featuresOf(location), placeAt);
}

/** A service location opened for commands that act in place (remove, set-properties, make). */
export async function openService(
  location: RemoteLocation,
  context: OpenContext,
): Promise<{ backend: Backend; service: RemoteService }> {
  const endpoint = await openEndpoint(location, context);
  const service = remoteService(endpoint);
  return { backend: new RemoteBackend(endpoint, service, remoteService, featuresOf(location)), service };
}

/**
 * Headers every request to a service carries. Azure Files trims trailing dots from names unless
 * told not to, so "name." and "name" would land on one file; AzCopy asks it not to by default
 * (--trailing-dot Enable), and so does azcp.
 */
export function serviceHeadersFor(
  service: ServiceKind,
  options: { trailingDot?: "Enable" | "Disable" | undefined },
): Record<string, string> | undefined {
  if (service !== "file" || options.trailingDot === "Disable") return undefined;
  return { "x-ms-allow-trailing-dot": "true" };
}

/** --cpk-by-name and --cpk-by-value: the encryption a Blob side's objects are written and read with. */
export interface CustomerKey {
  /** An encryption scope (--cpk-by-name). */
  scope?: string | undefined;
  /** A key and its SHA-256, both base64 (--cpk-by-value, from CPK_ENCRYPTION_KEY and CPK_ENCRYPTION_KEY_SHA256). */
  key?: { key: string; sha256: string } | undefined;
}

/**
 * The headers a customer-provided key puts on requests for blobs: a scope on writes; a key on
 * every write and read of a blob's data or properties (the service needs it to decrypt).
 */
export function objectHeadersFor(
  location: RemoteLocation,
  customerKey: CustomerKey | undefined,
): ObjectHeaders | undefined {
  if (!customerKey || location.service !== "blob" || (!customerKey.scope && !customerKey.key))
    return undefined;
  const key = customerKey.key
    ? {
        "x-ms-encryption-key": customerKey.key.key,
        "x-ms-encryption-key-sha256": customerKey.key.sha256,
        "x-ms-encryption-algorithm": "AES256",
      }
    : undefined;
  const scope = customerKey.scope ? { "x-ms-encryption-scope": customerKey.scope } : undefined;
  return {
    under: `${objectPath(location, "")}/`,
    byMethod: { PUT: { ...key, ...scope }, ...(key ? { GET: key, HEAD: key } : {}) },
  };
}

export function tokenHeadersFor(service: ServiceKind): Record<string, string> | undefined {
  const headers = SERVICES[service].tokenHeaders;
  return headers ? { ...headers } : undefined;
}

/** A benchmark's source: files generated in memory as they are read. */
export function generatedSource(options: GeneratedOptions): Source {
  return new GeneratedSource(options);
}

/** A benchmark's destination for downloads: it keeps nothing. */
export function discardingDestination(): Destination {
  return new DiscardingDestination();
}
