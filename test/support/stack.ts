// The local Azure stack: certificates, Azurite over HTTPS with OAuth, the Files/Data Lake test
// server, the Entra ID emulator and the fake `az`/`pwsh`. One instance serves a whole test run
// (global setup) or a shell session (`npm run stack`).
import { randomBytes } from "node:crypto";
import { mkdtemp, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import { delimiter, dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { DEV_ACCOUNT, DEV_ACCOUNT_KEY, type RunningAzurite, startAzurite } from "./azurite.js";
import { createCertificateAuthority } from "./certs.js";
import { CLOUD_TEST_HOSTS } from "./cloud-hosts-proxy.js";
import { FilesDataLakeServer } from "./files-datalake-server.js";
import { DEFAULT_TENANT, IdentityEmulator } from "./identity-emulator.js";

export interface StackInfo {
  dir: string;
  caCertPath: string;
  serverCertPath: string;
  serverKeyPath: string;
  /** https://127.0.0.1:PORT */
  blobOrigin: string;
  /** https://127.0.0.1:PORT/devstoreaccount1 */
  blobEndpoint: string;
  /** Azure Files on the Files/Data Lake test server: https://127.0.0.1:PORT */
  filesOrigin: string;
  /** https://127.0.0.1:PORT/devstoreaccount1 */
  filesEndpoint: string;
  /** Data Lake Storage (dfs) on the Files/Data Lake test server: https://127.0.0.1:PORT */
  dfsOrigin: string;
  /** https://127.0.0.1:PORT/devstoreaccount1 */
  dfsEndpoint: string;
  accountName: string;
  accountKey: string;
  identityUrl: string;
  tenantId: string;
  /** A service principal registered in the emulator. */
  spn: { clientId: string; objectId: string; secret: string };
  systemIdentity: { clientId: string; objectId: string; resourceId: string };
  /** Folder with the fake `az` and `pwsh`. */
  fakeBinDir: string;
  /** Variables a process needs to use the stack (CA, authority, IMDS, PATH with the fakes). */
  env: Record<string, string>;
}

export interface RunningStack {
  info: StackInfo;
  emulator: IdentityEmulator;
  azurite: RunningAzurite;
  restServer: FilesDataLakeServer;
  stop(): Promise<void>;
}

export const FAKE_BIN_DIR = join(dirname(fileURLToPath(import.meta.url)), "bin");

export async function startStack(): Promise<RunningStack> {
  const dir = await mkdtemp(join(tmpdir(), "azcp-stack-"));
  const ca = createCertificateAuthority();
  // The other clouds' names let the real AzCopy be sent to the local S3 and Cloud Storage servers.
  const server = ca.issueServerCertificate(["127.0.0.1", "localhost", ...CLOUD_TEST_HOSTS]);
  const caCertPath = join(dir, "ca.pem");
  const serverCertPath = join(dir, "server.pem");
  const serverKeyPath = join(dir, "server-key.pem");
  await writeFile(caCertPath, ca.certPem);
  await writeFile(serverCertPath, server.certPem + ca.certPem);
  await writeFile(serverKeyPath, server.keyPem, { mode: 0o600 });

  const emulator = new IdentityEmulator({ tls: server });
  // The same certificate as Azurite's; trusting the CA lets Put Range From URL read from Azurite.
  const restServer = new FilesDataLakeServer({
    tls: { keyPem: server.keyPem, certPem: server.certPem + ca.certPem },
    accountName: DEV_ACCOUNT,
    accountKey: DEV_ACCOUNT_KEY,
    trustedCa: ca.certPem,
    tenantId: DEFAULT_TENANT,
  });
  const [identityUrl, azurite, rest] = await Promise.all([
    emulator.start(),
    startAzurite({ certPath: serverCertPath, keyPath: serverKeyPath, oauth: true }),
    restServer.start(),
  ]);
  const secret = `spn-secret-${randomBytes(12).toString("base64url")}`;
  const app = emulator.registerApp({ secrets: [secret], displayName: "azcp stack service principal" });
  const system = emulator.systemIdentity;

  const env: Record<string, string> = {
    NODE_EXTRA_CA_CERTS: caCertPath,
    SSL_CERT_FILE: caCertPath,
    AZCOPY_ACTIVE_DIRECTORY_ENDPOINT: identityUrl,
    AZURE_POD_IDENTITY_AUTHORITY_HOST: identityUrl,
    AZCP_TEST_EMULATOR_URL: identityUrl,
    PATH: `${FAKE_BIN_DIR}${delimiter}${process.env.PATH ?? ""}`,
  };
  const info: StackInfo = {
    dir,
    caCertPath,
    serverCertPath,
    serverKeyPath,
    blobOrigin: azurite.origin,
    blobEndpoint: azurite.blobEndpoint,
    filesOrigin: rest.filesOrigin,
    filesEndpoint: `${rest.filesOrigin}/${DEV_ACCOUNT}`,
    dfsOrigin: rest.dfsOrigin,
    dfsEndpoint: `${rest.dfsOrigin}/${DEV_ACCOUNT}`,
    accountName: DEV_ACCOUNT,
    accountKey: DEV_ACCOUNT_KEY,
    identityUrl,
    tenantId: DEFAULT_TENANT,
    spn: { clientId: app.clientId, objectId: app.objectId, secret },
    systemIdentity: { clientId: system.clientId, objectId: system.objectId, resourceId: system.resourceId },
    fakeBinDir: FAKE_BIN_DIR,
    env,
  };
  return {
    info,
    emulator,
    azurite,
    restServer,
    async stop() {
      await Promise.allSettled([azurite.stop(), emulator.stop(), restServer.stop()]);
      await rm(dir, { recursive: true, force: true });
    },
  };
}
