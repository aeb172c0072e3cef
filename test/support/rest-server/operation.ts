// The contract between the request pipeline (authentication, authorization, logging) and each
// service: a service turns a request into an Operation saying what it needs, then runs it.
import type { Auth, SasNeed } from "./auth.js";
import type { ServiceError } from "./errors.js";
import type { Reply, Request } from "./http.js";
import type { LoggedRequest } from "./request-log.js";
import type { Action, ServiceName } from "./roles.js";

export interface Operation {
  /** What an account SAS must carry (the service letter comes from the service). */
  sas: Omit<SasNeed, "service">;
  /** What a role must grant a token. */
  action: Action;
  /**
   * Data Lake: when the principal's roles do not grant the action, whether the POSIX ACLs on the
   * paths involved do. Absent: roles alone decide.
   */
  aclAllows?: (principal: string | undefined) => boolean;
  /**
   * A rename's source, named in a header: its SAS (when it carries one) is checked as well as the
   * request's, and its path is logged.
   */
  source?: RenameSource;
  /** Errors of this operation as XML (Files, Blob endpoint) or JSON (dfs endpoint). */
  errorFormat: "xml" | "json";
  run(): ServiceReply | Promise<ServiceReply>;
}

export interface RenameSource {
  /** Decoded, as logged paths are: /account/container/path. */
  path: string;
  /** The query the source carried (a SAS, or nothing). */
  query: Record<string, string>;
  /** What a SAS on the source must grant (the service letter comes from the service). */
  sas: Omit<SasNeed, "service">;
}

export interface ServiceReply extends Reply {
  copySource?: LoggedRequest["copySource"];
}

export interface Service {
  readonly name: ServiceName;
  readonly sasService: SasNeed["service"];
  /** The error format of requests that fail before an operation is known. */
  readonly errorFormat: "xml" | "json";
  /** The server header the real service sends. */
  readonly serverHeader: string;
  error(code: string, details?: Record<string, string>, headers?: Record<string, string>): ServiceError;
  /** Throws a ServiceError when the request names no operation this service knows. */
  resolve(request: Request, auth: Auth): Operation;
  /** A file's bytes, for the admin API. */
  objectBytes(container: string, path: string): Buffer | undefined;
}
