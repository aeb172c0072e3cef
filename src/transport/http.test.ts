// The transport against a local HTTP server: it retries what the service says to retry, waits
// as Retry-After says, gives up on what is final, and renews a token the service called expired.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import type { AccessToken } from "@azure/core-auth";
import { afterEach, describe, expect, it } from "vitest";
import { HttpError, RestTransport } from "./http.js";
import { Semaphore } from "./limits.js";

type Handler = (request: IncomingMessage, response: ServerResponse, attempt: number) => void;

const servers: { close(): void }[] = [];
afterEach(() => {
  for (const server of servers.splice(0)) server.close();
});

async function serve(handler: Handler): Promise<{ origin: string; seen: IncomingMessage[] }> {
  const seen: IncomingMessage[] = [];
  const server = createServer((request, response) => {
    seen.push(request);
    handler(request, response, seen.length);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  servers.push(server);
  return { origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

function transport(
  origin: string,
  auth: ConstructorParameters<typeof RestTransport>[1] = { kind: "anonymous" },
) {
  return new RestTransport(origin, auth, {
    connections: 4,
    requests: new Semaphore(4),
    retry: { maxTries: 4, baseDelayMs: 10, maxDelayMs: 50 },
  });
}

const error = (
  response: ServerResponse,
  status: number,
  code: string,
  extra: Record<string, string> = {},
) => {
  response.writeHead(status, { "x-ms-error-code": code, "content-type": "application/xml", ...extra });
  response.end(`<?xml version="1.0"?><Error><Code>${code}</Code><Message>${code} happened</Message></Error>`);
};

describe("the REST transport", () => {
  it("retries 503 and 500 as told, then succeeds", async () => {
    const { origin, seen } = await serve((_request, response, attempt) => {
      if (attempt === 1) return error(response, 503, "ServerBusy", { "retry-after": "0" });
      if (attempt === 2) return error(response, 500, "OperationTimedOut");
      response.writeHead(200).end("ok");
    });
    const rest = transport(origin);
    const answer = await rest.send({ method: "GET", path: "/c/b", expect: [200], text: true });
    expect(answer.text).toBe("ok");
    expect(seen).toHaveLength(3);
    expect(rest.stats.retries).toBe(2);
  });

  it("gives up at once on what retrying cannot fix, with the service's code", async () => {
    const { origin, seen } = await serve((_request, response) => error(response, 404, "BlobNotFound"));
    const failure = await transport(origin)
      .send({ method: "GET", path: "/c/missing", expect: [200] })
      .catch((caught: unknown) => caught);
    expect(failure).toBeInstanceOf(HttpError);
    expect(failure).toMatchObject({ statusCode: 404, code: "BlobNotFound" });
    expect(seen).toHaveLength(1);
  });

  it("renews a token the service says expired, once, and sends the new one", async () => {
    const { origin, seen } = await serve((request, response, attempt) => {
      if (attempt === 1) {
        response.writeHead(401, {
          "x-ms-error-code": "InvalidAuthenticationInfo",
          "content-type": "application/xml",
        });
        return response.end(
          "<Error><Code>InvalidAuthenticationInfo</Code><Message>Server failed to authenticate the request.</Message><AuthenticationErrorDetail>Lifetime validation failed. The token is expired.</AuthenticationErrorDetail></Error>",
        );
      }
      response.writeHead(200).end(request.headers.authorization);
    });
    let issued = 0;
    const discarded: number[] = [];
    const credential = {
      async getToken(): Promise<AccessToken> {
        issued++;
        return { token: `token-${issued}`, expiresOnTimestamp: Date.now() + 3_600_000 };
      },
      discardTokensOlderThan(timestamp: number) {
        discarded.push(timestamp);
      },
    };
    const answer = await transport(origin, { kind: "token", credential }).send({
      method: "GET",
      path: "/c/b",
      expect: [200],
      text: true,
    });
    expect(seen.map((request) => request.headers.authorization)).toEqual([
      "Bearer token-1",
      "Bearer token-2",
    ]);
    expect(answer.text).toBe("Bearer token-2");
    expect(discarded).toHaveLength(1);
  });
});
