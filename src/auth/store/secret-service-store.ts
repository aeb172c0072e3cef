// The login in the desktop's Secret Service (GNOME Keyring, KWallet) through libsecret's
// secret-tool, used only when a D-Bus session answers and a store/read/delete round trip works.
import { AzcpError } from "../../errors.js";
import type { LoginStoreBackend } from "./backend.js";
import { runTool } from "./run-tool.js";

const ATTRIBUTES = ["service", "azcp", "account", "login"];
const PROBE_ATTRIBUTES = ["service", "azcp", "account", "probe"];

export class SecretServiceStore implements LoginStoreBackend {
  readonly name = "secret-service" as const;
  private availability: Promise<boolean> | undefined;

  constructor(private readonly env: NodeJS.ProcessEnv = process.env) {}

  describe(): string {
    return "the Secret Service (your desktop keyring)";
  }

  available(): Promise<boolean> {
    this.availability ??= this.probe();
    return this.availability;
  }

  private async probe(): Promise<boolean> {
    if (!this.env.DBUS_SESSION_BUS_ADDRESS) return false;
    try {
      const value = `probe-${Date.now()}`;
      const stored = await runTool(
        "secret-tool",
        ["store", "--label=azcp probe", ...PROBE_ATTRIBUTES],
        value,
        5000,
      );
      if (stored.code !== 0) return false;
      const read = await runTool("secret-tool", ["lookup", ...PROBE_ATTRIBUTES], "", 5000);
      await runTool("secret-tool", ["clear", ...PROBE_ATTRIBUTES], "", 5000);
      return read.code === 0 && read.stdout === value;
    } catch {
      return false;
    }
  }

  async read(): Promise<string | undefined> {
    const result = await this.call(["lookup", ...ATTRIBUTES]);
    if (result.code !== 0) return undefined;
    return result.stdout;
  }

  async write(data: string): Promise<void> {
    const result = await this.call(["store", "--label=azcp login", ...ATTRIBUTES], data);
    if (result.code !== 0) {
      throw new AzcpError(
        "service",
        `The Secret Service did not store the login (${result.stderr.trim() || `exit ${result.code}`}).`,
        {
          remedy: "Unlock your keyring, or set AZCP_LOGIN_STORE=file to keep the login in a private file.",
        },
      );
    }
  }

  async remove(): Promise<boolean> {
    const existed = (await this.read()) !== undefined;
    await this.call(["clear", ...ATTRIBUTES]);
    return existed;
  }

  private async call(args: string[], input = "") {
    try {
      return await runTool("secret-tool", args, input);
    } catch (error) {
      throw new AzcpError(
        "service",
        `Could not run secret-tool to reach the Secret Service (${(error as Error).message}).`,
        {
          remedy: "Install libsecret-tools (secret-tool), or set AZCP_LOGIN_STORE=file.",
        },
      );
    }
  }
}
