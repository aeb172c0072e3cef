// An HTTPS proxy (CONNECT only) that sends the tunnels for some host names to local servers: the
// real AzCopy reads Amazon S3 only from *.amazonaws.com, and through this proxy those names reach
// s3rver, which serves the stack's certificate for them.
import { createServer, type IncomingMessage } from "node:http";
import { type AddressInfo, connect, type Socket } from "node:net";

/**
 * The other clouds' host names a test certificate also serves, so that the real AzCopy can be
 * sent to the local S3 and Cloud Storage servers under them (with and without a bucket in the
 * host, at the global endpoint and in the regions the tests use).
 */
export const CLOUD_TEST_HOSTS = [
  "s3.amazonaws.com",
  "*.s3.amazonaws.com",
  ...["us-east-1", "eu-west-1"].flatMap((region) => [
    `s3.${region}.amazonaws.com`,
    `*.s3.${region}.amazonaws.com`,
    `s3.dualstack.${region}.amazonaws.com`,
    `*.s3.dualstack.${region}.amazonaws.com`,
  ]),
  "storage.googleapis.com",
];

export interface CloudHostsProxy {
  /** http://127.0.0.1:PORT, for HTTPS_PROXY */
  url: string;
  /** host:port of every tunnel asked for, in order. */
  tunnels: string[];
  close(): Promise<void>;
}

/** `routes` maps a host name suffix (".amazonaws.com") to a local origin ("https://127.0.0.1:PORT"). */
export async function startCloudHostsProxy(routes: Record<string, string>): Promise<CloudHostsProxy> {
  const tunnels: string[] = [];
  const sockets = new Set<Socket>();
  const server = createServer((_req, res) => {
    res.writeHead(405, { "content-type": "text/plain" });
    res.end("this test proxy only tunnels (CONNECT)\n");
  });
  server.on("connect", (req: IncomingMessage, client: Socket, head: Buffer) => {
    const authority = req.url ?? "";
    tunnels.push(authority);
    const host = authority.replace(/:\d+$/, "");
    const suffix = Object.keys(routes).find(
      (candidate) => host === candidate.slice(1) || host.endsWith(candidate),
    );
    if (!suffix) {
      client.end("HTTP/1.1 403 Forbidden\r\n\r\n");
      return;
    }
    const target = new URL(routes[suffix]!);
    const upstream = connect(Number(target.port), target.hostname, () => {
      client.write("HTTP/1.1 200 Connection Established\r\n\r\n");
      if (head.length) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    for (const socket of [client, upstream]) {
      sockets.add(socket);
      socket.on("close", () => sockets.delete(socket));
      socket.on("error", () => {
        client.destroy();
        upstream.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    tunnels,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of sockets) socket.destroy();
        server.close(() => resolve());
      }),
  };
}
