// Stand-in for the Azure CLI (`az`) and Azure PowerShell (`pwsh`): prints a token from the local
// identity emulator in the format each tool prints. AZCP_FAKE_<TOOL>_LOGGED_OUT=1 makes it
// answer like a tool that has no signed-in account.
const [tool, ...args] = process.argv.slice(2);
const emulator = process.env.AZCP_TEST_EMULATOR_URL;

function fail(message) {
  process.stderr.write(`${message}\n`);
  process.exit(1);
}

function option(name) {
  const index = args.indexOf(name);
  return index >= 0 ? args[index + 1] : undefined;
}

async function fetchToken(resource, tenant) {
  if (!emulator) fail("AZCP_TEST_EMULATOR_URL is not set: start the stack (npm run stack) first.");
  const response = await fetch(`${emulator}/_emulator/cli-token`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify({ tool, resource, tenant }),
  });
  if (!response.ok) fail(`ERROR: token request failed with ${response.status}`);
  return response.json();
}

function localTime(epochSeconds) {
  const d = new Date(epochSeconds * 1000);
  const pad = (n) => String(n).padStart(2, "0");
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.000000`;
}

if (tool === "az") {
  if (args[0] === "--version") {
    process.stdout.write("azure-cli                         2.67.0 (fake for azcp tests)\n");
    process.exit(0);
  }
  if (args[0] !== "account" || args[1] !== "get-access-token")
    fail(`ERROR: 'az ${args.join(" ")}' is not supported by the fake az.`);
  if (process.env.AZCP_FAKE_AZ_LOGGED_OUT === "1") fail("ERROR: Please run 'az login' to setup account.");
  const resource = option("--resource");
  const tenant = option("--tenant");
  const { token, expiresOn } = await fetchToken(resource, tenant);
  const out = {
    accessToken: token,
    expiresOn: localTime(expiresOn),
    expires_on: expiresOn,
    subscription: "00000000-0000-0000-0000-000000000000",
    tenant: tenant ?? "72f988bf-0000-4000-8000-00000000a2c9",
    tokenType: "Bearer",
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else if (tool === "pwsh") {
  if (args[0] === "/?") {
    process.stdout.write("Usage: pwsh[.exe] [-Command ...] (fake for azcp tests)\n");
    process.exit(0);
  }
  const script = option("-Command") ?? "";
  if (process.env.AZCP_FAKE_PWSH_LOGGED_OUT === "1") fail("Run Connect-AzAccount to login.");
  const resource = /ResourceUrl\s*=\s*"([^"]*)"/.exec(script)?.[1];
  const tenant = /\$tenantId\s*=\s*"([^"]*)"/.exec(script)?.[1] || undefined;
  if (!resource) fail("Get-AzAccessToken: ResourceUrl is missing.");
  const { token, expiresOn } = await fetchToken(resource, tenant);
  const out = {
    ExpiresOn: new Date(expiresOn * 1000).toISOString().replace(/\.\d+Z$/, "+00:00"),
    Token: token,
  };
  process.stdout.write(`${JSON.stringify(out, null, 2)}\n`);
} else {
  fail(`fake-cli: unknown tool ${tool}`);
}
