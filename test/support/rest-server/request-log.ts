// What the server was asked and what it answered, for tests to assert on. It never holds a SAS
// signature or a token: only which kind of credential came, and whose (the token's oid).

export interface LoggedRequest {
  seq: number;
  service: "file" | "dfs";
  method: string;
  /** Decoded path: /account/container/path. */
  path: string;
  /** The query without its signature. */
  query: Record<string, string>;
  auth: "bearer" | "sas" | "none";
  /** The token's oid claim. */
  principal?: string | undefined;
  /** x-ms-file-request-intent, as sent. */
  intent?: string | undefined;
  /** The client's User-Agent ("azcp/..." for azcp; the SDKs' start with "azsdk-js-"). */
  userAgent?: string | undefined;
  status: number;
  errorCode?: string | undefined;
  /** Request body bytes. */
  bytesIn: number;
  /** A Put Range From URL's source: its URL without the query, and how it was authorized. */
  copySource?: { url: string; authorization: "bearer" | "sas" | "none" } | undefined;
  /** A rename's source (Files x-ms-file-rename-source, Data Lake x-ms-rename-source), decoded, as /account/container/path, without its query. */
  renameSource?: string | undefined;
}

/** The newest entries kept; a soak run must not grow the log without bound. */
const LIMIT = 200_000;

export class RequestLog {
  private readonly entries: LoggedRequest[] = [];
  private last = 0;

  add(entry: Omit<LoggedRequest, "seq">): LoggedRequest {
    const logged = { seq: ++this.last, ...entry };
    this.entries.push(logged);
    if (this.entries.length > LIMIT) this.entries.splice(0, this.entries.length - LIMIT);
    return logged;
  }

  since(seq: number): LoggedRequest[] {
    return this.entries.filter((entry) => entry.seq > seq);
  }

  get lastSeq(): number {
    return this.last;
  }
}

export function redactQuery(query: Record<string, string>): Record<string, string> {
  const { sig: _signature, ...rest } = query;
  return rest;
}
