// Errors as values that carry the remedy. The library throws these; the CLI renders them as
// one line (cause, then fix) and exits 1.

export type ErrorKind =
  | "bad-input"
  | "authentication"
  | "permission"
  | "network-rules"
  | "not-found"
  | "throttled"
  | "network"
  | "service"
  | "source-changed"
  | "cancelled";

export interface AzcpErrorDetails {
  /** What the user should do about it. */
  remedy?: string;
  /** HTTP status the service answered, when there was one. */
  statusCode?: number;
  /** The service's or identity platform's error code (e.g. AuthorizationPermissionMismatch, AADSTS7000215). */
  errorCode?: string;
  cause?: unknown;
}

export class AzcpError extends Error {
  readonly kind: ErrorKind;
  readonly remedy: string | undefined;
  readonly statusCode: number | undefined;
  readonly errorCode: string | undefined;

  constructor(kind: ErrorKind, message: string, details: AzcpErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = "AzcpError";
    this.kind = kind;
    this.remedy = details.remedy;
    this.statusCode = details.statusCode;
    this.errorCode = details.errorCode;
  }

  /** Cause and fix on one line. */
  describe(): string {
    const cause = this.message.replace(/\s*\n\s*/g, " ").trim();
    return this.remedy ? `${cause} ${this.remedy}` : cause;
  }
}

export function badInput(message: string, remedy?: string): AzcpError {
  return new AzcpError("bad-input", message, remedy === undefined ? {} : { remedy });
}

export function isAzcpError(value: unknown): value is AzcpError {
  return value instanceof AzcpError;
}
