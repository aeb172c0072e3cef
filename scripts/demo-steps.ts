// The steps of `npm run demo`, run by scripts/demo.ts as a child process so that Node trusts the
// stack's CA from the start (NODE_EXTRA_CA_CERTS is read only when a process starts).
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { BlobServiceClient, StorageSharedKeyCredential } from "@azure/storage-blob";
import type { StackInfo } from "../test/support/stack.js";

const root = join(fileURLToPath(import.meta.url), "..", "..");
const azcpBin = join(root, "bin", "azcp.js");
const info: StackInfo = JSON.parse(process.env.AZCP_DEMO_STACK ?? "{}");

function step(text: string) {
  process.stdout.write(`\n== ${text}\n`);
}

const env = {
  ...process.env,
  ...info.env,
  HOME: info.dir,
  AZCOPY_LOG_LOCATION: join(info.dir, "logs"),
  AZCOPY_AUTO_LOGIN_TYPE: "SPN",
  AZCOPY_SPA_APPLICATION_ID: info.spn.clientId,
  AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
  AZCOPY_TENANT_ID: info.tenantId,
};
const azcp = (...args: string[]) => {
  process.stdout.write(`$ azcp ${args.join(" ")}\n`);
  const result = spawnSync(
    process.execPath,
    [azcpBin, ...args, "--trusted-microsoft-suffixes", "127.0.0.1"],
    {
      env,
      encoding: "utf8",
    },
  );
  process.stdout.write(result.stdout);
  process.stderr.write(result.stderr);
  return result;
};

step(`Local stack: Azurite at ${info.blobEndpoint}, Entra ID emulator at ${info.identityUrl}`);
step("Seeding a container (shared key; azcp copy arrives with the transfer engine)");
const files = new Map<string, Buffer>([
  ["report.csv", randomBytes(3000)],
  ["photos/cat.jpg", randomBytes(250_000)],
  ["photos/2024/dog é.png", randomBytes(1_500_000)],
]);
const service = new BlobServiceClient(
  info.blobEndpoint,
  new StorageSharedKeyCredential(info.accountName, info.accountKey),
);
const container = service.getContainerClient("demo");
await container.create();
for (const [name, data] of files) await container.getBlockBlobClient(name).upload(data, data.length);
process.stdout.write(`uploaded ${files.size} blobs\n`);

step("Signed in as a service principal (AZCOPY_AUTO_LOGIN_TYPE=SPN), list the container");
const text = azcp("list", `${info.blobEndpoint}/demo`, "--running-tally");
step("The same as JSON, with sizes in bytes and MD5s");
const json = azcp(
  "list",
  `${info.blobEndpoint}/demo`,
  "--output-type",
  "json",
  "--machine-readable",
  "--properties",
  "ContentMD5",
);

step("Verify: every blob listed, with the right size and MD5");
const listed = new Map<string, { ContentLength: string; ContentMD5: string }>();
for (const line of json.stdout.split("\n").filter(Boolean)) {
  const message = JSON.parse(line);
  if (message.MessageType === "ListObject") {
    const object = JSON.parse(message.MessageContent);
    listed.set(object.Path, object);
  }
}
let failed = text.status !== 0 || json.status !== 0 || listed.size !== files.size;
for (const [name, data] of files) {
  const entry = listed.get(name);
  const md5 = createHash("md5").update(data).digest("base64");
  const ok = entry?.ContentLength === String(data.length) && entry?.ContentMD5 === md5;
  process.stdout.write(`${ok ? "ok  " : "FAIL"} ${name} (${data.length} bytes, md5 ${md5})\n`);
  failed ||= !ok;
}
process.exit(failed ? 1 : 0);
