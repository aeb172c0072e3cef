// The login in the Linux kernel's user keyring (@u) through keyutils' keyctl. Chosen only on
// request: its keys are lost at reboot, and containers on one host share it.
import { AzcpError } from "../../errors.js";
import type { LoginStoreBackend } from "./backend.js";
import { runTool } from "./run-tool.js";

const KEY_DESCRIPTION = "azcp:login";

export class KeyringStore implements LoginStoreBackend {
  readonly name = "keyring" as const;

  describe(): string {
    return "the kernel user keyring (@u, key azcp:login; lost at reboot)";
  }

  async available(): Promise<boolean> {
    try {
      return (await runTool("keyctl", ["show", "@u"], "", 5000)).code === 0;
    } catch {
      return false;
    }
  }

  /**
   * Keys in @u are readable by their possessor. A process possesses @u through its session
   * keyring; link it there (as pam_keyinit does at login) so a fresh session can read it too.
   */
  private async possessUserKeyring(): Promise<void> {
    await this.call(["link", "@u", "@s"]).catch(() => undefined);
  }

  private async keyId(): Promise<string | undefined> {
    await this.possessUserKeyring();
    const result = await this.call(["search", "@u", "user", KEY_DESCRIPTION]);
    return result.code === 0 ? result.stdout.trim() : undefined;
  }

  async read(): Promise<string | undefined> {
    const id = await this.keyId();
    if (!id) return undefined;
    const result = await this.call(["pipe", id]);
    if (result.code !== 0) {
      throw new AzcpError(
        "service",
        `The kernel keyring did not give back the login (${result.stderr.trim()}).`,
        {
          remedy: "Run azcp login again, or set AZCP_LOGIN_STORE=file.",
        },
      );
    }
    return result.stdout;
  }

  async write(data: string): Promise<void> {
    await this.possessUserKeyring();
    const result = await this.call(["padd", "user", KEY_DESCRIPTION, "@u"], data);
    if (result.code !== 0) {
      throw new AzcpError(
        "service",
        `The kernel keyring did not store the login (${result.stderr.trim()}).`,
        {
          remedy: "Set AZCP_LOGIN_STORE=file to keep the login in a private file instead.",
        },
      );
    }
  }

  async remove(): Promise<boolean> {
    const id = await this.keyId();
    if (!id) return false;
    await this.call(["unlink", id, "@u"]);
    return true;
  }

  private async call(args: string[], input = "") {
    try {
      return await runTool("keyctl", args, input);
    } catch (error) {
      throw new AzcpError(
        "service",
        `Could not run keyctl to reach the kernel keyring (${(error as Error).message}).`,
        {
          remedy: "Install keyutils (keyctl), or set AZCP_LOGIN_STORE=file.",
        },
      );
    }
  }
}
