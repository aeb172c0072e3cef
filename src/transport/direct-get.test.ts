// Ranged GETs on azcp's own connections, against servers that answer in every way HTTP allows:
// bodies split anywhere, keep-alive and close, chunked errors, short and long answers, a slow sink.
import { randomBytes } from "node:crypto";
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import { type AddressInfo, createServer as createTcpServer, type Socket } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { closeDirectConnections, dechunk, SlabsToSink } from "./direct-get.js";
import { HttpError, type RestRequest, RestTransport } from "./http.js";
import { Semaphore } from "./limits.js";

const closers: (() => void)[] = [];
afterEach(() => {
  for (const close of closers.splice(0)) close();
  closeDirectConnections();
});

async function serve(handler: (request: IncomingMessage, response: ServerResponse) => void) {
  const sockets = new Set<Socket>();
  const server = createServer(handler);
  server.on("connection", (socket) => sockets.add(socket));
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, sockets };
}

/** A server that writes raw bytes, in the pieces given, for each request it reads (then closes, if told). */
async function serveRaw(answer: (request: string) => Buffer[] | { pieces: Buffer[]; close: true }) {
  const server = createTcpServer((socket) => {
    let pending = "";
    socket.on("data", async (data) => {
      pending += data.toString("latin1");
      const end = pending.indexOf("\r\n\r\n");
      if (end < 0) return;
      const request = pending.slice(0, end);
      pending = pending.slice(end + 4);
      const answered = answer(request);
      const pieces = Array.isArray(answered) ? answered : answered.pieces;
      for (const piece of pieces) {
        socket.write(piece);
        await new Promise((resolve) => setTimeout(resolve, 2));
      }
      if (!Array.isArray(answered)) socket.destroy();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  closers.push(() => server.close());
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

function transport(origin: string, maxTries = 3) {
  return new RestTransport(
    origin,
    { kind: "anonymous" },
    {
      connections: 4,
      requests: new Semaphore(4),
      retry: { maxTries, baseDelayMs: 5, maxDelayMs: 20 },
    },
  );
}

/** A GET whose body goes into `buffer` (206 expected). */
function getInto(path: string, buffer: Buffer, length = buffer.length): RestRequest {
  return { method: "GET", path, expect: [206], into: { buffer, offset: 0, length } };
}

function rangeOf(request: IncomingMessage, size: number): [number, number] {
  const match = /bytes=(\d+)-(\d+)/.exec(String(request.headers["x-ms-range"]));
  return match ? [Number(match[1]), Number(match[2]) + 1] : [0, size];
}

/** A sink that keeps copies of what it is lent, slowly, as a disk under load would. */
function slowSink() {
  const pieces: { at: number; data: Buffer }[] = [];
  return {
    pieces,
    write(data: Buffer, at: number) {
      pieces.push({ at, data: Buffer.from(data) });
      // Slower than the socket: reading has to pause and resume.
      return new Promise<void>((resolve) => setTimeout(resolve, 20));
    },
    bytes: () => Buffer.concat(pieces.sort((a, b) => a.at - b.at).map((piece) => piece.data)),
  };
}

describe("ranged GETs on azcp's own connections", () => {
  it("reads ranges into buffers and through a slow sink, over kept-alive connections", async () => {
    const blob = randomBytes(5 * 1024 * 1024 + 123);
    const { origin, sockets } = await serve((request, response) => {
      const [start, end] = rangeOf(request, blob.length);
      response.writeHead(206, { "content-length": String(end - start) });
      response.end(blob.subarray(start, end));
    });
    const rest = transport(origin);
    const into = Buffer.alloc(1_000_000);
    await rest.send({ ...getInto("/c/b", into), headers: { "x-ms-range": "bytes=100-1000099" } });
    expect(into.equals(blob.subarray(100, 1_000_100))).toBe(true);
    const sink = slowSink();
    await rest.send({
      method: "GET",
      path: "/c/b",
      headers: { "x-ms-range": `bytes=0-${blob.length - 1}` },
      expect: [206],
      sink: { sink, length: blob.length },
    });
    expect(sink.bytes().equals(blob)).toBe(true);
    expect(sink.pieces.length).toBeGreaterThan(4);
    expect(sockets.size).toBe(1);
    expect(rest.stats.bytesReceived).toBe(1_000_000 + blob.length);
  });

  it("reads headers and bodies split at any byte, and a chunked error's code and message", async () => {
    const body = randomBytes(300_000);
    const origin = await serveRaw((request) => {
      if (request.includes("/missing")) {
        const xml =
          '<?xml version="1.0"?><Error><Code>BlobNotFound</Code><Message>No such blob.</Message></Error>';
        const chunked = `${xml.length.toString(16)}\r\n${xml}\r\n0\r\n\r\n`;
        const head =
          "HTTP/1.1 404 The specified blob does not exist.\r\nTransfer-Encoding: chunked\r\nx-ms-error-code: BlobNotFound\r\n\r\n";
        const all = Buffer.from(head + chunked, "latin1");
        return [all.subarray(0, 7), all.subarray(7, 90), all.subarray(90)];
      }
      const head = Buffer.from(
        `HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length}\r\n\r\n`,
        "latin1",
      );
      const all = Buffer.concat([head, body]);
      return [
        all.subarray(0, 20),
        all.subarray(20, head.length + 5),
        all.subarray(head.length + 5, 200_000),
        all.subarray(200_000),
      ];
    });
    const rest = transport(origin);
    const into = Buffer.alloc(body.length);
    await rest.send(getInto("/c/b", into, body.length));
    expect(into.equals(body)).toBe(true);
    const failure = await rest.send(getInto("/c/missing", into, 10)).catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ statusCode: 404, code: "BlobNotFound", message: "No such blob." });
  });

  it("retries an answer cut short, and refuses one longer than asked for", async () => {
    const body = randomBytes(100_000);
    let attempts = 0;
    const origin = await serveRaw(() => {
      attempts++;
      const head = Buffer.from(
        `HTTP/1.1 206 Partial Content\r\nContent-Length: ${body.length}\r\n\r\n`,
        "latin1",
      );
      // The first answer stops half-way: the server closes the connection.
      if (attempts === 1) return { pieces: [head, body.subarray(0, 50_000)], close: true };
      return [head, body];
    });
    const into = Buffer.alloc(body.length);
    const rest = transport(origin);
    await rest.send(getInto("/c/b", into, body.length));
    expect(into.equals(body)).toBe(true);
    expect(attempts).toBe(2);
    expect(rest.stats.retries).toBe(1);

    const long = await serve((_request, response) => {
      response.writeHead(206, { "content-length": "20" });
      response.end(Buffer.alloc(20));
    });
    const failure = await transport(long.origin, 1)
      .send(getInto("/c/b", Buffer.alloc(10), 10))
      .catch((caught: unknown) => caught);
    expect(failure).toMatchObject({ code: "AZCP_TRUNCATED" });
  });

  it("stops at once when the job is cancelled mid-body", async () => {
    const { origin } = await serve((_request, response) => {
      response.writeHead(206, { "content-length": String(4 * 1024 * 1024) });
      response.write(Buffer.alloc(1024 * 1024));
    });
    const controller = new AbortController();
    const rest = transport(origin);
    const reading = rest.send(
      getInto("/c/b", Buffer.alloc(4 * 1024 * 1024), 4 * 1024 * 1024),
      controller.signal,
    );
    setTimeout(() => controller.abort(), 100);
    await expect(reading).rejects.toMatchObject({ code: "ABORT_ERR" });
    // Cancelled before its connection was even made: refused, with nothing left unhandled.
    const fresh = transport(origin, 1);
    await expect(fresh.send(getInto("/c/b", Buffer.alloc(8), 8), controller.signal)).rejects.toMatchObject({
      code: "ABORT_ERR",
    });
  });

  it("keeps every byte that still arrives after it asked to pause (TLS hands over what it decrypted)", async () => {
    const data = randomBytes(6 * 1024 * 1024 + 777);
    const sink = slowSink();
    let resumed = 0;
    let pauses = 0;
    const written = new Promise<void>((resolve, reject) => {
      const reader = new SlabsToSink(sink, data.length, resolve, reject, () => resumed++);
      // Bytes keep coming whatever took() answers, as a TLS socket's already decrypted records do.
      for (let at = 0; at < data.length; ) {
        const space = reader.space()!;
        const count = Math.min(space.length, 100_000, data.length - at);
        data.copy(space, 0, at, at + count);
        if (!reader.took(count)) pauses++;
        at += count;
      }
    });
    await written;
    expect(pauses).toBeGreaterThan(0);
    expect(resumed).toBeGreaterThan(0);
    expect(sink.bytes().equals(data)).toBe(true);
  });

  it("takes a whole answer whose connection closes at once, one read until the close, and skips 1xx heads", async () => {
    const body = randomBytes(3 * 1024 * 1024 + 5);
    let attempts = 0;
    const origin = await serveRaw((request) => {
      attempts++;
      if (request.includes("/until-close"))
        return {
          pieces: [Buffer.from("HTTP/1.1 206 Partial Content\r\n\r\n"), body.subarray(0, 10)],
          close: true,
        };
      const head = `HTTP/1.1 100 Continue\r\n\r\nHTTP/1.1 206 Partial Content\r\nConnection: close\r\nContent-Length: ${body.length}\r\n\r\n`;
      return { pieces: [Buffer.concat([Buffer.from(head, "latin1"), body])], close: true };
    });
    const rest = transport(origin, 1);
    // The sink is still writing when the close arrives: the answer was whole all the same.
    const sink = slowSink();
    await rest.send({ method: "GET", path: "/c/b", expect: [206], sink: { sink, length: body.length } });
    expect(sink.bytes().equals(body)).toBe(true);
    const into = Buffer.alloc(10);
    await rest.send(getInto("/c/until-close", into, 10));
    expect(into.equals(body.subarray(0, 10))).toBe(true);
    expect(attempts).toBe(2);
  });

  it("answers without a body by rule, and a Content-Length that is not one number, end at once", async () => {
    const origin = await serveRaw((request) => {
      if (request.includes("/not-modified"))
        return [Buffer.from("HTTP/1.1 304 Not Modified\r\nETag: x\r\n\r\n")];
      return [Buffer.from("HTTP/1.1 404 Not Found\r\nContent-Length: 12, 13\r\n\r\n<Error></Er")];
    });
    const rest = transport(origin, 1);
    const ask = (path: string) =>
      rest.send(getInto(path, Buffer.alloc(4))).catch((caught: unknown) => caught);
    expect(await ask("/c/not-modified")).toMatchObject({ statusCode: 304 });
    expect(await ask("/c/bad-length")).toMatchObject({ code: "ECONNRESET" });
    await expect(
      rest.send({ ...getInto("/c/b", Buffer.alloc(4)), headers: { "x-smuggled": "a\r\nHost: elsewhere" } }),
    ).rejects.toThrow(/line break/);
  });

  it("cancels every GET of a job through one listener on the job's signal", async () => {
    const { origin } = await serve((_request, response) => {
      response.writeHead(206, { "content-length": "8" });
      response.write("1234");
    });
    const warnings: string[] = [];
    const onWarning = (warning: Error) => warnings.push(warning.name);
    process.on("warning", onWarning);
    const job = new AbortController();
    const rest = new RestTransport(
      origin,
      { kind: "anonymous" },
      {
        connections: 32,
        requests: new Semaphore(32),
        retry: { maxTries: 1, baseDelayMs: 5, maxDelayMs: 20 },
        signal: job.signal,
      },
    );
    const reads = Array.from({ length: 24 }, () =>
      rest.send(getInto("/c/b", Buffer.alloc(8), 8), job.signal).catch((caught: unknown) => caught),
    );
    await new Promise((resolve) => setTimeout(resolve, 200));
    job.abort();
    const outcomes = await Promise.all(reads);
    process.off("warning", onWarning);
    expect(outcomes.every((outcome) => (outcome as { code?: string }).code === "ABORT_ERR")).toBe(true);
    expect(warnings).toEqual([]);
  });

  it("decodes chunked bodies only once they are complete", () => {
    const whole = Buffer.from("5\r\nhello\r\n6;x=1\r\n world\r\n0\r\n\r\n", "latin1");
    expect(dechunk(whole)?.toString()).toBe("hello world");
    expect(dechunk(whole.subarray(0, whole.length - 2))).toBeUndefined();
    expect(dechunk(whole.subarray(0, 9))).toBeUndefined();
  });
});
