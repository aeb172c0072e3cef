// The steps of `npm run demo`, run by scripts/demo.ts as a child process so that Node trusts the
// stack's CA from the start (NODE_EXTRA_CA_CERTS is read only when a process starts).
import { spawnSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
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
  XDG_CONFIG_HOME: join(info.dir, "config"),
  AZCOPY_LOG_LOCATION: join(info.dir, "logs"),
  AZCOPY_JOB_PLAN_LOCATION: join(info.dir, "plans"),
  AZCP_LOGIN_STORE: "file",
  AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
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
  if (result.status !== 0) {
    process.stdout.write(`\n== Demo FAILED: azcp ${args[0]} exited with ${result.status}\n`);
    process.exit(1);
  }
  return result;
};

const md5 = (data: Buffer) => createHash("md5").update(data).digest("base64");

step(`Local stack: Azurite at ${info.blobEndpoint}, Entra ID emulator at ${info.identityUrl}`);
const files = new Map<string, Buffer>([
  ["report.csv", randomBytes(3000)],
  ["photos/cat.jpg", randomBytes(250_000)],
  ["photos/2024/dog é.png", randomBytes(1_500_000)],
  ["video/big.bin", randomBytes(40 * 1024 * 1024 + 17)],
]);
const upload = join(info.dir, "upload");
for (const [name, data] of files) {
  mkdirSync(dirname(join(upload, name)), { recursive: true });
  writeFileSync(join(upload, name), data);
}
process.stdout.write(`wrote ${files.size} local files under ${upload}\n`);

step(
  "Log in as a service principal (the secret comes from AZCOPY_SPA_CLIENT_SECRET); later commands use the saved login",
);
azcp("login", "--service-principal", "--application-id", info.spn.clientId, "--tenant-id", info.tenantId);
azcp("login", "status");

const container = `${info.blobEndpoint}/demo`;
step("Make a container and upload the folder, storing each file's MD5");
azcp("make", container);
azcp("copy", upload, container, "--recursive", "--as-subdir=false", "--put-md5");

step("List it, then list it as JSON with sizes in bytes and MD5s");
azcp("list", container, "--running-tally");
const json = azcp(
  "list",
  container,
  "--output-type",
  "json",
  "--machine-readable",
  "--properties",
  "ContentMD5",
);

step("Download it to a new folder");
const download = join(info.dir, "download");
azcp("copy", container, download, "--recursive", "--as-subdir=false", "--check-md5", "FailIfDifferent");

step("Verify: every file listed with its size and MD5, and downloaded byte for byte");
const listed = new Map<string, { ContentLength: string; ContentMD5: string }>();
for (const line of json.stdout.split("\n").filter(Boolean)) {
  const message = JSON.parse(line);
  if (message.MessageType === "ListObject") {
    const object = JSON.parse(message.MessageContent);
    listed.set(object.Path, object);
  }
}
let failed = listed.size !== files.size;
for (const [name, data] of files) {
  const entry = listed.get(name);
  const downloaded = readFileSync(join(download, name));
  const ok =
    entry?.ContentLength === String(data.length) &&
    entry?.ContentMD5 === md5(data) &&
    md5(downloaded) === md5(data);
  process.stdout.write(`${ok ? "ok  " : "FAIL"} ${name} (${data.length} bytes, md5 ${md5(data)})\n`);
  failed ||= !ok;
}

step("Log out: the saved login is gone");
azcp("logout");
process.exit(failed ? 1 : 0);
