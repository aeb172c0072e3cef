// azcp list and azcp access: what is at a service location, and which data operations the
// signed-in identity may do there. Failures are explained with the role that would allow them.
import type { Authorizer } from "../auth/authorize.js";
import type { AzcpError } from "../errors.js";
import type { RemoteLocation } from "../location/location.js";
import type { Environment } from "../settings.js";
import type { AccessAttempt, ListedObject } from "../storage/backend.js";
import { featuresOf, openService } from "../storage/registry.js";
import { storageFailure } from "../storage/rest/failure.js";
import { JobEnvironment } from "./job-environment.js";

function quietJob(env: Environment, command: string, trailingDot?: "Enable" | "Disable"): JobEnvironment {
  return new JobEnvironment({ env, logLevel: "NONE", commandLine: command, trailingDot });
}

export async function* listLocation(
  location: RemoteLocation,
  authorizer: Authorizer,
  env: Environment,
  trailingDot?: "Enable" | "Disable",
): AsyncGenerator<ListedObject> {
  const job = quietJob(env, "list", trailingDot);
  const { service } = await openService(location, job.openContext(authorizer, "source"));
  try {
    yield* service.list();
  } catch (error) {
    if ((error as { kind?: string }).kind) throw error;
    const access = job.endpointOf("source")!.access;
    throw await storageFailure(error, {
      location,
      access,
      operation:
        location.container === undefined
          ? "list the containers of"
          : featuresOf(location).realFolders
            ? "list files in"
            : "list blobs in",
      action: "list",
    });
  }
}

export interface AccessCheck {
  action: AccessAttempt["action"];
  allowed: boolean;
  /** Why not, with the fix, when denied. */
  error?: AzcpError;
}

/** Tries list, read (and write, delete) at the location; undefined where the service cannot tell. */
export async function probeAccess(
  location: RemoteLocation,
  authorizer: Authorizer,
  env: Environment,
  write: boolean,
): Promise<AccessCheck[] | undefined> {
  const job = quietJob(env, "access");
  const { service } = await openService(location, job.openContext(authorizer, "source"));
  if (!service.probeAccess) return undefined;
  const access = job.endpointOf("source")!.access;
  const attempts = await service.probeAccess(write);
  return Promise.all(
    attempts.map(async ({ action, operation, path, error }) =>
      error === undefined
        ? { action, allowed: true }
        : {
            action,
            allowed: false,
            error: await storageFailure(error, { location, access, operation, action, path }),
          },
    ),
  );
}
