// Amazon S3's regions in front of s3rver, which has none: each bucket lives in a region, and a
// request for it at another region's endpoint, or signed for another region, is refused as S3
// refuses it (301 PermanentRedirect, 400 AuthorizationHeaderMalformed, both with
// x-amz-bucket-region). GetBucketLocation is answered from any endpoint. The rest goes on to s3rver
// with its Host header, so virtual-hosted names still find their bucket.
import { readFile } from "node:fs/promises";
import type { IncomingMessage, ServerResponse } from "node:http";
import { createServer, request } from "node:https";
import type { AddressInfo } from "node:net";
import { stack } from "./harness.js";

export interface S3Regions {
  /** https://127.0.0.1:PORT, to route *.amazonaws.com to. */
  origin: string;
  close(): Promise<void>;
}

/** The region an S3 host names: s3.<region>., s3-<region>., s3.dualstack.<region>.; none is us-east-1. */
function endpointRegion(host: string): string {
  const match = /(?:^|\.)s3(?:[.-]dualstack)?[.-]([a-z0-9-]+)\.amazonaws\.com$/.exec(host);
  return match && match[1] !== "external-1" ? match[1]! : "us-east-1";
}

function signingRegion(req: IncomingMessage, query: URLSearchParams): string | undefined {
  const credential =
    /Credential=([^,]+)/.exec(req.headers.authorization ?? "")?.[1] ?? query.get("X-Amz-Credential") ?? "";
  return credential.split("/")[2];
}

function refuse(res: ServerResponse, status: number, code: string, region: string): void {
  const body = `<?xml version="1.0" encoding="UTF-8"?><Error><Code>${code}</Code><Message>The bucket is in this region: ${region}.</Message></Error>`;
  res.writeHead(status, {
    "content-type": "application/xml",
    "content-length": Buffer.byteLength(body),
    "x-amz-bucket-region": region,
  });
  res.end(body);
}

/** In front of s3rver at `target`, with the stack's certificate (it names the S3 hosts). */
export async function startS3Regions(options: {
  /** s3rver's origin. */
  target: string;
  /** Bucket name -> region; buckets not named are in us-east-1. */
  regions: Record<string, string>;
}): Promise<S3Regions> {
  const info = stack();
  const ca = await readFile(info.caCertPath, "utf8");
  const tls = {
    key: await readFile(info.serverKeyPath, "utf8"),
    cert: await readFile(info.serverCertPath, "utf8"),
  };
  const target = new URL(options.target);
  const server = createServer(tls, (req, res) => {
    const host = (req.headers.host ?? "").replace(/:\d+$/, "").toLowerCase();
    const url = new URL(req.url ?? "/", "https://s3");
    const inHost = /^(.+)\.s3[.-]/.exec(host)?.[1];
    const bucket = inHost ?? decodeURIComponent(url.pathname.split("/")[1] ?? "");
    const region = options.regions[bucket] ?? "us-east-1";
    if (bucket && url.searchParams.has("location") && req.method === "GET") {
      const constraint = region === "us-east-1" ? "" : region;
      const body = `<?xml version="1.0" encoding="UTF-8"?><LocationConstraint xmlns="http://s3.amazonaws.com/doc/2006-03-01/">${constraint}</LocationConstraint>`;
      res.writeHead(200, { "content-type": "application/xml", "content-length": Buffer.byteLength(body) });
      res.end(body);
      return;
    }
    if (bucket && endpointRegion(host) !== region) return refuse(res, 301, "PermanentRedirect", region);
    const signedFor = signingRegion(req, url.searchParams);
    if (bucket && signedFor && signedFor !== region)
      return refuse(res, 400, "AuthorizationHeaderMalformed", region);
    const upstream = request(
      {
        host: target.hostname,
        port: target.port,
        method: req.method,
        path: req.url,
        headers: req.headers,
        ca,
        servername: "localhost",
      },
      (response) => {
        res.writeHead(response.statusCode ?? 502, response.headers);
        response.pipe(res);
      },
    );
    upstream.on("error", () => res.destroy());
    req.pipe(upstream);
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    origin: `https://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
