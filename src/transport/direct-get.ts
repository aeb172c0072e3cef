// Body-reading GETs on connections of azcp's own. Node's http client allocates a buffer for every
// socket read and sends each through its parser and a stream: about 0.6 s of CPU per GiB on this
// machine, and garbage collections forced by the external memory. Here the socket reads straight
// into the caller's buffer, or into 1 MiB slabs that go to a sink and are then read into again.
// Only for origins reached without a proxy; the transport sends everything else through node:http.
import { isIP, connect as netConnect, type Socket } from "node:net";
import { connect as tlsConnect } from "node:tls";

/**
 * Takes a body piece by piece: `at` is where `data` starts in the body. A retried request starts
 * again at 0. The next piece comes once a returned promise settles. `data` is lent: it is read
 * into again once the promise settles (or at once when nothing is returned), so a sink that
 * keeps it longer copies it.
 */
export interface BodySink {
  write(data: Buffer, at: number): Promise<void> | undefined;
}

export type DirectBody =
  | { kind: "into"; buffer: Buffer; offset: number; length: number }
  | { kind: "sink"; sink: BodySink; length: number };

export interface DirectResponse {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  /** The body of a status the caller did not expect (an error's XML or JSON). */
  errorBody?: Buffer;
}

export interface DirectRequest {
  method: "GET";
  /** Path and query, encoded as sent. */
  path: string;
  headers: Record<string, string>;
  expect: readonly number[];
  body: DirectBody;
  signal?: AbortSignal | undefined;
  timeoutMs: number;
}

const SLAB = 1024 * 1024;
const HEAD_LIMIT = 64 * 1024;
const IDLE_LIMIT = 64;
const SPARE_SLABS = 16;
const freeSlabs: Buffer[] = [];
/** Where bytes still arriving on a connection given up go. */
const DISCARD = Buffer.allocUnsafeSlow(16 * 1024);

function takeSlab(): Buffer {
  return freeSlabs.pop() ?? Buffer.allocUnsafeSlow(SLAB);
}

function returnSlab(slab: Buffer): void {
  if (freeSlabs.length < SPARE_SLABS) freeSlabs.push(slab);
}

function networkError(message: string, code: string): Error {
  return Object.assign(new Error(message), { code });
}

/** Where an origin's connections go: host, port, and whether TLS. */
interface Endpoint {
  secure: boolean;
  host: string;
  port: number;
}

const pools = new Map<string, DirectPool>();

/** The keep-alive connections of one origin. */
export function directPool(origin: string): DirectPool {
  let pool = pools.get(origin);
  if (!pool) {
    const url = new URL(origin);
    const secure = url.protocol === "https:";
    pool = new DirectPool({
      secure,
      host: url.hostname.replace(/^\[|\]$/g, ""),
      port: Number(url.port || (secure ? 443 : 80)),
    });
    pools.set(origin, pool);
  }
  return pool;
}

export function closeDirectConnections(): void {
  for (const pool of pools.values()) pool.close();
  pools.clear();
}

export class DirectPool {
  private readonly idle: Connection[] = [];

  constructor(private readonly endpoint: Endpoint) {}

  async send(request: DirectRequest): Promise<DirectResponse> {
    // What node:http refuses too: a line break smuggled into the request, a path not encoded.
    if (/[^\u0021-\u00ff]/.test(request.path))
      throw new TypeError("The request path holds characters it may not.");
    for (const [name, value] of Object.entries(request.headers))
      if (/[\r\n\0]/.test(name) || /[\r\n\0]/.test(value))
        throw new TypeError(`The header ${name} holds a line break.`);
    let connection = this.idle.pop();
    while (connection && !connection.usable()) connection = this.idle.pop();
    connection ??= new Connection(this.endpoint);
    const { response, reusable } = await connection.exchange(request);
    if (reusable && this.idle.length < IDLE_LIMIT) {
      connection.rest();
      this.idle.push(connection);
    } else connection.destroy();
    return response;
  }

  close(): void {
    for (const connection of this.idle.splice(0)) connection.destroy();
  }
}

/** What a response's body is read into, and what to do with it. */
interface BodyReader {
  /** Where the next socket read goes; undefined once the whole body was read. */
  space(): Buffer | undefined;
  /** `count` bytes were read into the last space; false when reading must pause. */
  took(count: number): boolean;
  /** Every byte of the body was read (what remains is handing it over). */
  complete(): boolean;
  /** The connection closed (the end of a body that runs until the close). */
  closed?(): void;
  /** The exchange failed: stop, and resolve once nothing is being written any more. */
  quiet?(): Promise<void>;
}

class Connection {
  private readonly socket: Socket;
  private connected: Promise<void>;
  private head = Buffer.allocUnsafe(4096);
  private headUsed = 0;
  private reader: BodyReader | undefined;
  private current: Exchange | undefined;
  private failed = false;
  /** Whether the last room given to onread was the head's (not a body's). */
  private intoHead = true;

  constructor(endpoint: Endpoint) {
    const onread = {
      buffer: () => {
        // Never an empty buffer: TLS would hand over its decrypted bytes into it forever.
        if (this.failed) return DISCARD;
        const space = this.reader?.space();
        this.intoHead = space === undefined;
        return space ?? this.head.subarray(this.headUsed);
      },
      callback: (count: number) => {
        try {
          return this.received(count);
        } catch (error) {
          this.abandon(error as Error);
          return false;
        }
      },
    };
    const options = { host: endpoint.host, port: endpoint.port, onread };
    this.socket = endpoint.secure
      ? tlsConnect({ ...options, ...(isIP(endpoint.host) ? {} : { servername: endpoint.host }) })
      : netConnect(options);
    this.connected = new Promise((resolve, reject) => {
      this.socket.once(endpoint.secure ? "secureConnect" : "connect", () => resolve());
      this.socket.once("error", reject);
    });
    this.connected.catch(() => undefined);
    this.socket.on("error", (error) => this.fail(error));
    this.socket.on("close", () => {
      this.reader?.closed?.();
      this.fail(networkError("The connection closed mid-response.", "ECONNRESET"));
    });
    this.socket.on("timeout", () => this.abandon(networkError("The request timed out.", "ETIMEDOUT")));
  }

  usable(): boolean {
    return !this.failed && !this.socket.destroyed;
  }

  /** Idle in the pool: it keeps no process alive. */
  rest(): void {
    this.socket.setTimeout(0);
    this.socket.unref();
  }

  destroy(): void {
    this.failed = true;
    this.socket.destroy();
  }

  /** Gives the connection up for `error`, at once: bytes still arriving are discarded. */
  private abandon(error: Error): void {
    this.failed = true;
    this.socket.destroy(error);
  }

  async exchange(request: DirectRequest): Promise<{ response: DirectResponse; reusable: boolean }> {
    this.socket.ref();
    this.socket.setTimeout(request.timeoutMs);
    const exchange = new Exchange(request, () => this.socket.resume());
    // It may fail before it is awaited (a cancel while connecting).
    exchange.done.catch(() => undefined);
    this.current = exchange;
    const abort = () => this.abandon(networkError("The job was cancelled.", "ABORT_ERR"));
    request.signal?.addEventListener("abort", abort, { once: true });
    try {
      if (request.signal?.aborted) abort();
      await this.connected;
      const lines = [`${request.method} ${request.path} HTTP/1.1`];
      for (const [name, value] of Object.entries(request.headers)) lines.push(`${name}: ${value}`);
      this.socket.write(`${lines.join("\r\n")}\r\n\r\n`, "latin1");
      return await exchange.done;
    } catch (error) {
      this.destroy();
      throw error;
    } finally {
      request.signal?.removeEventListener("abort", abort);
      this.current = undefined;
      this.reader = undefined;
    }
  }

  private fail(error: Error): void {
    this.failed = true;
    this.current?.connectionLost(error);
  }

  /** A socket read of `count` bytes landed in what onread.buffer gave last; false pauses reading. */
  private received(count: number): boolean {
    if (this.failed) return false;
    if (!this.intoHead) return this.reader!.took(count);
    const exchange = this.current;
    if (!exchange || exchange.answered) {
      // Bytes no request asked for: the connection cannot be trusted any more.
      this.destroy();
      return false;
    }
    this.headUsed += count;
    let end = this.head.subarray(0, this.headUsed).indexOf("\r\n\r\n", 0, "latin1");
    // An informational answer (100 Continue, 103 Early Hints): the real one follows.
    while (end >= 0 && /^HTTP\/1\.[01] 1\d\d/.test(this.head.toString("latin1", 0, 12))) {
      this.head.copyWithin(0, end + 4, this.headUsed);
      this.headUsed -= end + 4;
      end = this.head.subarray(0, this.headUsed).indexOf("\r\n\r\n", 0, "latin1");
    }
    if (end < 0) {
      if (this.headUsed === this.head.length) {
        if (this.head.length >= HEAD_LIMIT) {
          this.abandon(networkError("The response headers were too long.", "ECONNRESET"));
          return false;
        }
        const larger = Buffer.allocUnsafe(this.head.length * 4);
        this.head.copy(larger);
        this.head = larger;
      }
      return true;
    }
    const reader = exchange.headersArrived(this.head.toString("latin1", 0, end));
    const early = this.head.subarray(end + 4, this.headUsed);
    // The next response's headers go at the head's start again; onread asks for room after this.
    this.headUsed = 0;
    if (!reader) return true;
    this.reader = reader;
    return feed(reader, early);
  }
}

/** Puts bytes already read (with the headers) through a reader as if read into its space. */
function feed(reader: BodyReader, bytes: Buffer): boolean {
  let offset = 0;
  let reading = true;
  while (offset < bytes.length) {
    const space = reader.space();
    if (!space?.length) throw networkError("The service sent more than it said it would.", "ECONNRESET");
    const count = Math.min(space.length, bytes.length - offset);
    bytes.copy(space, 0, offset, offset + count);
    offset += count;
    reading = reader.took(count);
  }
  return reading;
}

class Exchange {
  readonly done: Promise<{ response: DirectResponse; reusable: boolean }>;
  private settle!: (result: { response: DirectResponse; reusable: boolean }) => void;
  private reject!: (error: Error) => void;
  private finished = false;
  /** The status line and headers arrived. */
  answered = false;

  constructor(
    private readonly request: DirectRequest,
    private readonly resume: () => void,
  ) {
    this.done = new Promise((resolve, reject) => {
      this.settle = resolve;
      this.reject = reject;
    });
  }

  /** What reads the body, once the headers said how. */
  private reader: BodyReader | undefined;

  /** The connection failed or closed: the end of this exchange, unless its body was all read. */
  connectionLost(error: Error): void {
    if (this.reader?.complete()) return;
    this.fail(error);
  }

  fail(error: Error): void {
    if (this.finished) return;
    this.finished = true;
    // A retry writes the same range again: not before this attempt's last write has settled.
    const quiet = this.reader?.quiet?.();
    if (quiet) void quiet.then(() => this.reject(error));
    else this.reject(error);
  }

  private succeed(response: DirectResponse, reusable: boolean): void {
    if (this.finished) return;
    this.finished = true;
    this.settle({ response, reusable });
  }

  /** Parses the status line and headers; returns what reads the body. */
  headersArrived(text: string): BodyReader | undefined {
    this.answered = true;
    const [statusLine = "", ...lines] = text.split("\r\n");
    const status = Number(/^HTTP\/1\.[01] (\d{3})/.exec(statusLine)?.[1] ?? Number.NaN);
    if (Number.isNaN(status)) {
      this.fail(networkError("The server's answer was not HTTP/1.1.", "ECONNRESET"));
      return undefined;
    }
    const headers: Record<string, string | string[] | undefined> = {};
    for (const line of lines) {
      const colon = line.indexOf(":");
      if (colon <= 0) continue;
      const name = line.slice(0, colon).trim().toLowerCase();
      const value = line.slice(colon + 1).trim();
      const before = headers[name];
      headers[name] = before === undefined ? value : [...(Array.isArray(before) ? before : [before]), value];
    }
    const all = (name: string) => [headers[name] ?? []].flat().join(",");
    const connection = all("connection");
    const reusable = statusLine.startsWith("HTTP/1.0")
      ? /keep-alive/i.test(connection)
      : !/close/i.test(connection);
    const chunked = /chunked/i.test(all("transfer-encoding"));
    const declared = headers["content-length"] === undefined ? undefined : all("content-length").split(",");
    if (
      declared &&
      (!declared.every((value) => /^\s*\d+\s*$/.test(value)) || new Set(declared.map(Number)).size > 1)
    ) {
      this.fail(networkError("The server's Content-Length was not one number.", "ECONNRESET"));
      return undefined;
    }
    // 204 and 304 have no body, whatever their headers say.
    const length = status === 204 || status === 304 ? 0 : declared && Number(declared[0]);
    const { body } = this.request;
    if (this.request.expect.includes(status) && !chunked && length !== undefined) {
      if (length !== body.length) {
        this.fail(
          networkError(
            `The service answered with ${length} bytes where ${body.length} were asked for.`,
            "AZCP_TRUNCATED",
          ),
        );
        return undefined;
      }
      const response = { status, headers };
      const whenRead = () => this.succeed(response, reusable);
      if (length === 0) {
        whenRead();
        return undefined;
      }
      this.reader =
        body.kind === "into"
          ? new IntoBuffer(body.buffer, body.offset, body.length, whenRead)
          : new SlabsToSink(body.sink, body.length, whenRead, (error) => this.fail(error), this.resume);
      return this.reader;
    }
    // An error's body, or a body without a length: kept whole (it is small, or bounded by the ask).
    const expected = this.request.expect.includes(status);
    const keep = reusable && !chunked && length !== undefined;
    this.reader = new WholeBody(
      chunked ? "chunked" : length === undefined ? "until-close" : length,
      Math.max(body.length, 1 << 20),
      (bytes) => {
        if (!expected) this.succeed({ status, headers, errorBody: bytes }, keep);
        else
          deliver(body, bytes).then(
            () => this.succeed({ status, headers }, keep),
            (error: Error) => this.fail(error),
          );
      },
      (error) => this.fail(error),
    );
    return this.reader;
  }
}

/** A success without a Content-Length, read whole: it goes where the body was asked to go. */
async function deliver(body: DirectBody, bytes: Buffer): Promise<void> {
  if (bytes.length !== body.length)
    throw networkError(`The response ended after ${bytes.length} of ${body.length} bytes.`, "AZCP_TRUNCATED");
  if (body.kind === "into") bytes.copy(body.buffer, body.offset);
  else await body.sink.write(bytes, 0);
}

class IntoBuffer implements BodyReader {
  private filled = 0;

  constructor(
    private readonly buffer: Buffer,
    private readonly offset: number,
    private readonly length: number,
    private readonly whenRead: () => void,
  ) {}

  complete(): boolean {
    return this.filled === this.length;
  }

  space(): Buffer | undefined {
    if (this.filled === this.length) return undefined;
    return this.buffer.subarray(this.offset + this.filled, this.offset + this.length);
  }

  took(count: number): boolean {
    this.filled += count;
    if (this.filled === this.length) this.whenRead();
    return true;
  }
}

/** A filled slab on its way to the sink. */
interface Piece {
  slab: Buffer;
  length: number;
  at: number;
}

/**
 * Reads into a slab; full slabs go to the sink one at a time, in order, while the next fills.
 * While the sink is behind, reading pauses; bytes that still come (TLS hands over what it has
 * already decrypted) fill more slabs, which queue: nothing read is ever dropped or overwritten.
 */
export class SlabsToSink implements BodyReader {
  private slab = takeSlab();
  private used = 0;
  /** Where the slab being filled starts in the body. */
  private at = 0;
  private read = 0;
  private readonly queue: Piece[] = [];
  private writing: Promise<void> | undefined;
  private paused = false;
  /** The exchange failed: nothing more goes to the sink. */
  private stopped = false;

  constructor(
    private readonly sink: BodySink,
    private readonly length: number,
    private readonly whenWritten: () => void,
    private readonly failed: (error: Error) => void,
    private readonly resume: () => void,
  ) {}

  complete(): boolean {
    return this.read === this.length;
  }

  space(): Buffer | undefined {
    if (this.read === this.length) return undefined;
    return this.slab.subarray(this.used, Math.min(SLAB, this.used + this.length - this.read));
  }

  took(count: number): boolean {
    this.used += count;
    this.read += count;
    if (this.used === SLAB || this.read === this.length) {
      this.queue.push({ slab: this.slab, length: this.used, at: this.at });
      this.at += this.used;
      this.used = 0;
      if (this.read < this.length) this.slab = takeSlab();
      this.pump();
    }
    if (this.writing && this.queue.length > 0) this.paused = true;
    return !this.paused;
  }

  /** Stops writing; resolves once the write under way (if any) has settled. */
  quiet(): Promise<void> {
    this.stopped = true;
    return (this.writing ?? Promise.resolve()).catch(() => undefined);
  }

  private pump(): void {
    while (!this.writing && !this.stopped) {
      const piece = this.queue.shift();
      if (!piece) break;
      let pending: Promise<void> | undefined;
      try {
        pending = this.sink.write(piece.slab.subarray(0, piece.length), piece.at);
      } catch (error) {
        this.failed(error as Error);
        return;
      }
      if (!pending) {
        returnSlab(piece.slab);
        continue;
      }
      this.writing = pending.then(
        () => {
          this.writing = undefined;
          returnSlab(piece.slab);
          this.pump();
        },
        (error: Error) => {
          this.writing = undefined;
          this.failed(error);
        },
      );
    }
    if (this.stopped || this.queue.length > 0) return;
    if (this.paused) {
      this.paused = false;
      this.resume();
    }
    if (!this.writing && this.read === this.length) this.whenWritten();
  }
}

/** A body kept whole: Content-Length bytes, chunked until its last chunk, or until the close. */
class WholeBody implements BodyReader {
  private bytes = Buffer.allocUnsafe(4096);
  private used = 0;
  private done = false;

  constructor(
    private readonly framing: number | "chunked" | "until-close",
    private readonly limit: number,
    private readonly whenRead: (bytes: Buffer) => void,
    private readonly failed: (error: Error) => void,
  ) {
    if (framing === 0) this.end(Buffer.alloc(0));
  }

  private end(bytes: Buffer): void {
    this.done = true;
    this.whenRead(bytes);
  }

  complete(): boolean {
    return this.done;
  }

  space(): Buffer | undefined {
    if (this.done) return undefined;
    if (this.used === this.bytes.length) {
      const larger = Buffer.allocUnsafe(this.bytes.length * 2);
      this.bytes.copy(larger);
      this.bytes = larger;
    }
    const room = this.bytes.subarray(this.used);
    return typeof this.framing === "number" ? room.subarray(0, this.framing - this.used) : room;
  }

  took(count: number): boolean {
    this.used += count;
    if (this.used > this.limit) {
      this.failed(networkError("The response was longer than asked for.", "AZCP_TRUNCATED"));
      return false;
    }
    const bytes = this.bytes.subarray(0, this.used);
    if (this.framing === "until-close") return true;
    if (this.framing === "chunked") {
      const decoded = dechunk(bytes);
      if (decoded) this.end(decoded);
      return true;
    }
    if (this.used === this.framing) this.end(Buffer.from(bytes));
    return true;
  }

  closed(): void {
    if (this.framing === "until-close" && !this.done)
      this.end(Buffer.from(this.bytes.subarray(0, this.used)));
  }
}

/** The data of a complete chunked body, or undefined while its last chunk has not arrived. */
export function dechunk(bytes: Buffer): Buffer | undefined {
  const parts: Buffer[] = [];
  let at = 0;
  for (;;) {
    const lineEnd = bytes.indexOf("\r\n", at, "latin1");
    if (lineEnd < 0) return undefined;
    const size = Number.parseInt(bytes.toString("latin1", at, lineEnd).split(";")[0]!, 16);
    if (Number.isNaN(size)) throw networkError("A chunked response was malformed.", "ECONNRESET");
    const start = lineEnd + 2;
    if (size === 0)
      return bytes.indexOf("\r\n\r\n", lineEnd, "latin1") >= 0 ? Buffer.concat(parts) : undefined;
    if (bytes.length < start + size + 2) return undefined;
    parts.push(bytes.subarray(start, start + size));
    at = start + size + 2;
  }
}
