// A bucket copied to a storage account becomes a container of its name, made valid as AzCopy
// makes it: "." (and on Cloud Storage "_") become "-", a run of n hyphens becomes "-n-", a
// name taken by another bucket gets "-2", "-3", ...; a name still longer than 63 is refused.
import { badInput } from "../errors.js";
import type { RemoteLocation, ServiceKind } from "./types.js";

const VALID_CONTAINER = /^[a-z0-9](?!.*--)[a-z0-9-]{1,61}[a-z0-9]$/;

/** 3 to 63 lowercase letters, digits and single hyphens, a letter or digit at each end. */
export function isValidContainerName(name: string): boolean {
  return VALID_CONTAINER.test(name);
}

function cloudOf(service: ServiceKind): string {
  return service === "s3" ? "S3 bucket" : service === "gcs" ? "Cloud Storage bucket" : "container";
}

/** The container name for a bucket, before collisions; undefined when none can be made. */
function renamed(name: string, service: ServiceKind): string {
  if (VALID_CONTAINER.test(name)) return name;
  const replaced = service === "gcs" ? name.replace(/[._]/g, "-") : name.replace(/\./g, "-");
  return replaced.replace(/-{2,}/g, (run) => `-${run.length}-`);
}

function refuse(name: string, service: ServiceKind, made: string) {
  return badInput(
    `The ${cloudOf(service)} name "${name}" is not a valid container name, and azcp cannot make one of it ("${made}" is still not valid: a container name has 3 to 63 lowercase letters, digits and single hyphens).`,
    "Copy the bucket into a container you name: put the container in the destination URL (https://<account>.blob.core.windows.net/<container>).",
  );
}

/**
 * Container names for buckets copied into one account, in listing order: each valid, none
 * taken twice, none equal to another bucket's own name.
 */
export function containerNamesFor(names: readonly string[], service: ServiceKind): Map<string, string> {
  const taken = new Set(names);
  const result = new Map<string, string>();
  for (const name of names) {
    let made = renamed(name, service);
    if (made !== name) {
      const base = made;
      for (let suffix = 2; taken.has(made); suffix++) made = `${base}-${suffix}`;
    }
    if (!VALID_CONTAINER.test(made)) throw refuse(name, service, made);
    taken.add(made);
    result.set(name, made);
  }
  return result;
}

/**
 * A destination that names an account but no container, for a source that is one container
 * or bucket: the container the source's name becomes. Other destinations are returned as given.
 */
export function intoContainerOfSourceName(
  source: RemoteLocation,
  destination: RemoteLocation,
): RemoteLocation {
  if (destination.container !== undefined || source.container === undefined || source.path !== "")
    return destination;
  const container = containerNamesFor([source.container], source.service).get(source.container)!;
  return { ...destination, container, path: "" };
}
