// `npm run stack`: start the local Azure stack and print what a shell needs to use it.
// Ctrl-C stops it and removes what it made.
import { startStack } from "./stack.js";

const stack = await startStack();
const { info } = stack;
const exports: Record<string, string> = {
  ...info.env,
  AZCP_TRUSTED_MICROSOFT_SUFFIXES: "127.0.0.1",
  AZCOPY_TENANT_ID: info.tenantId,
  AZCOPY_SPA_APPLICATION_ID: info.spn.clientId,
  AZCOPY_SPA_CLIENT_SECRET: info.spn.secret,
};
const quote = (value: string) => `'${value.replace(/'/g, "'\\''")}'`;
process.stdout.write(`# azcp local stack is running (Ctrl-C stops it)
#   Blob (Azurite, HTTPS, OAuth on): ${info.blobEndpoint}
#   Azure Files (test server):       ${info.filesEndpoint}
#   Data Lake, dfs (test server):    ${info.dfsEndpoint}
#   Test server admin API:           ${info.filesOrigin}/_admin/requests (and /_admin/roles)
#   Entra ID emulator:               ${info.identityUrl}
#   Device sign-in page:             ${info.identityUrl}/devicelogin
#   Shared key for setup: account ${info.accountName}, key ${info.accountKey}
# Paste these into another shell:
${Object.entries(exports)
  .map(([name, value]) =>
    name === "PATH" ? `export PATH=${quote(info.fakeBinDir)}:"$PATH"` : `export ${name}=${quote(value)}`,
  )
  .join("\n")}
# then, for example:
#   export AZCOPY_AUTO_LOGIN_TYPE=SPN
#   azcp make ${info.blobEndpoint}/demo && azcp list ${info.blobEndpoint}/demo
`);

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  process.stdout.write("\n# stopping the stack...\n");
  await stack.stop();
  process.exit(0);
};
process.on("SIGINT", stop);
process.on("SIGTERM", stop);
