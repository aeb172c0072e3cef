// A server that records every request it gets (method, path, whether it carried a bearer token)
// and answers as told: for proving where tokens do and do not go.
import { createServer as createHttpServer, type IncomingMessage, type ServerResponse } from "node:http";
import { createServer as createHttpsServer } from "node:https";
import type { AddressInfo } from "node:net";

export interface RecordedRequest {
  method: string;
  url: string;
  host: string | undefined;
  authorization: string | undefined;
}

export interface RecordingServer {
  url: string;
  requests: RecordedRequest[];
  close(): Promise<void>;
}

export type Responder = (req: IncomingMessage, res: ServerResponse) => void;

export const notFound: Responder = (_req, res) => {
  res.writeHead(404, { "content-type": "application/xml", "x-ms-error-code": "ContainerNotFound" });
  res.end(
    '<?xml version="1.0" encoding="utf-8"?><Error><Code>ContainerNotFound</Code><Message>The specified container does not exist.</Message></Error>',
  );
};

export async function startRecordingServer(options: {
  tls?: { keyPem: string; certPem: string };
  hostname?: string;
  respond?: Responder;
}): Promise<RecordingServer> {
  const requests: RecordedRequest[] = [];
  const handler = (req: IncomingMessage, res: ServerResponse) => {
    requests.push({
      method: req.method ?? "",
      url: req.url ?? "",
      host: req.headers.host,
      authorization: req.headers.authorization,
    });
    req.resume();
    req.on("end", () => (options.respond ?? notFound)(req, res));
  };
  const server = options.tls
    ? createHttpsServer({ key: options.tls.keyPem, cert: options.tls.certPem }, handler)
    : createHttpServer(handler);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `${options.tls ? "https" : "http"}://${options.hostname ?? "127.0.0.1"}:${port}`,
    requests,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
