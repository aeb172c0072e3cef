// azcp login, azcp login status, azcp logout.
import type { Command } from "commander";
import { addFlags, type FlagSpec } from "../flags.js";
import type { Output } from "../output.js";
import { canPrompt, promptHidden } from "../prompt.js";
import { runCommand } from "../run.js";

const LOGIN_FLAGS: readonly FlagSpec[] = [
  {
    name: "tenant-id",
    value: "<id>",
    help: "Microsoft Entra tenant to sign in to (default: AZCOPY_TENANT_ID, else common).",
  },
  {
    name: "aad-endpoint",
    value: "<url>",
    help: "Microsoft Entra authority host, for national clouds (default https://login.microsoftonline.com).",
  },
  {
    name: "login-type",
    value: "<type>",
    help: "How to sign in: device (default), spn, msi, azcli, pscred or workload.",
    choices: ["device", "spn", "msi", "azcli", "pscred", "workload"],
  },
  { name: "identity", help: "Sign in with the machine's managed identity (same as --login-type msi)." },
  { name: "identity-client-id", value: "<id>", help: "Client id of a user-assigned managed identity." },
  { name: "identity-object-id", value: "<id>", help: "Object id of a user-assigned managed identity." },
  { name: "identity-resource-id", value: "<id>", help: "Resource id of a user-assigned managed identity." },
  { name: "service-principal", help: "Sign in as a service principal (same as --login-type spn)." },
  {
    name: "application-id",
    value: "<id>",
    help: "Application (client) id of the service principal. Its secret comes from AZCOPY_SPA_CLIENT_SECRET, or a prompt on a terminal.",
  },
  {
    name: "certificate-path",
    value: "<file>",
    help: "PEM or PFX certificate (with private key) of the service principal; its password from AZCOPY_SPA_CERT_PASSWORD, or a prompt.",
  },
];

interface LoginFlags {
  tenantId?: string;
  aadEndpoint?: string;
  loginType?: string;
  identity?: boolean;
  identityClientId?: string;
  identityObjectId?: string;
  identityResourceId?: string;
  servicePrincipal?: boolean;
  applicationId?: string;
  certificatePath?: string;
}

const STATUS_FLAGS: readonly FlagSpec[] = [
  { name: "tenant", help: "Show the Microsoft Entra tenant of the login." },
  { name: "endpoint", help: "Show the Microsoft Entra endpoint of the login." },
  { name: "method", help: "Show how the login signs in." },
];

function showDeviceCode(output: Output) {
  return (prompt: { message: string }) => output.notice(prompt.message);
}

export function registerLogin(program: Command): void {
  const login = program
    .command("login")
    .summary("Sign in to Microsoft Entra ID and keep the login for later commands")
    .description(
      "Sign in to Microsoft Entra ID (device code by default; a managed identity, a service principal, the Azure CLI's or Azure PowerShell's sign-in, or workload identity) and keep the login for later commands: in the Secret Service when a desktop keyring answers, else in a file only you can read (AZCP_LOGIN_STORE chooses). The login is saved only after a storage token was obtained with it.",
    );
  addFlags(login, LOGIN_FLAGS).action(async (flags: LoginFlags, self: Command) =>
    runCommand(self, async ({ output }) => {
      const { login, loginTypeOf } = await import("../../api.js");
      const request = {
        ...flags,
        loginType: self.getOptionValueSource("loginType") === undefined ? undefined : flags.loginType,
      };
      let clientSecret: string | undefined;
      let certificatePassword: string | undefined;
      if ((await loginTypeOf(request)) === "SPN" && canPrompt()) {
        const certificate = flags.certificatePath ?? process.env.AZCOPY_SPA_CERT_PATH;
        if (!certificate && !process.env.AZCOPY_SPA_CLIENT_SECRET)
          clientSecret = await promptHidden("Client secret: ");
        if (certificate && !process.env.AZCOPY_SPA_CERT_PASSWORD) {
          certificatePassword = (await promptHidden("Certificate password (Enter for none): ")) || undefined;
        }
      }
      const outcome = await login(
        { ...request, clientSecret, certificatePassword },
        { onDeviceCode: showDeviceCode(output) },
      );
      output.result("Login succeeded.");
      output.info(
        `INFO: Signed in with ${outcome.description}${outcome.principal ? ` as ${outcome.principal}` : ""}.`,
      );
      output.info(`INFO: The login is saved in ${outcome.store}.`);
      output.endOfJob();
      return 0;
    }),
  );

  const status = login
    .command("status")
    .summary("Say whether a saved login works")
    .description(
      "Say whether a login saved by `azcp login` exists and still gets a storage token; exit 1 when not.",
    );
  addFlags(status, STATUS_FLAGS).action(
    async (flags: { tenant?: boolean; endpoint?: boolean; method?: boolean }, self: Command) =>
      runCommand(self, async ({ output }) => {
        const { loginStatus } = await import("../../api.js");
        const result = await loginStatus();
        if (output.json) {
          output.message(
            "LoginStatusInfo",
            result.valid
              ? {
                  valid: true,
                  tenantID: result.tenantId,
                  AADEndpoint: result.authority,
                  authMethod: result.method,
                }
              : { valid: false },
          );
          output.endOfJob();
          return result.valid ? 0 : 1;
        }
        if (!result.valid) {
          output.result(`INFO: ${result.reason}`);
          return 1;
        }
        output.result(`INFO: You are logged in with ${result.description}.`);
        output.info(`INFO: The login is saved in ${result.store}.`);
        if (flags.tenant) output.result(`INFO: Microsoft Entra tenant ID: ${result.tenantId ?? ""}`);
        if (flags.endpoint) output.result(`INFO: Microsoft Entra endpoint: ${result.authority ?? ""}`);
        if (flags.method) output.result(`INFO: Authorization method: ${result.method}`);
        return 0;
      }),
  );
}

export function registerLogout(program: Command): void {
  program
    .command("logout")
    .summary("Remove the saved login")
    .description("Remove everything `azcp login` saved, refresh tokens included.")
    .action(async (_flags: unknown, self: Command) =>
      runCommand(self, async ({ output }) => {
        const { logout } = await import("../../api.js");
        const removed = await logout();
        if (removed.length === 0) {
          output.error("You are not logged in: azcp found no saved login to remove.");
          output.endOfJob();
          return 1;
        }
        output.result("Logout succeeded.");
        output.info(`INFO: Removed the login from ${removed.join(" and ")}.`);
        output.endOfJob();
        return 0;
      }),
    );
}
