// The persisted login: what `azcp login` saved, in which backend, and how to read it back.
import { mkdir, readFile, rm, writeFile } from "node:fs/promises";
import { homedir } from "node:os";
import { join } from "node:path";
import { AzcpError, badInput } from "../../errors.js";
import { type Environment, readSetting } from "../../settings.js";
import type { LoginSpec } from "../login-spec.js";
import { type LoginStoreBackend, STORE_NAMES, type StoreName } from "./backend.js";
import { FileStore } from "./file-store.js";
import { KeyringStore } from "./keyring-store.js";
import { SecretServiceStore } from "./secret-service-store.js";

export interface PersistedLogin {
  version: 1;
  spec: LoginSpec;
  savedAt: string;
  /** Device sign-in: MSAL's serialized token cache (the account and its refresh token). */
  msalCache?: string;
  /** Device sign-in: who signed in, for `login status`. */
  account?: { username: string; tenantId: string };
}

export function configDirectory(env: Environment): string {
  const base = env.XDG_CONFIG_HOME || join(env.HOME || homedir(), ".config");
  return join(base, "azcp");
}

export class LoginStore {
  private readonly directory: string;
  private readonly pointerPath: string;

  constructor(private readonly env: Environment = process.env) {
    this.directory = configDirectory(env);
    this.pointerPath = join(this.directory, "login-store");
  }

  backend(name: StoreName): LoginStoreBackend {
    switch (name) {
      case "file":
        return new FileStore(this.directory);
      case "secret-service":
        return new SecretServiceStore(this.env as NodeJS.ProcessEnv);
      case "keyring":
        return new KeyringStore();
    }
  }

  private forced(): StoreName | undefined {
    const value = readSetting("AZCP_LOGIN_STORE", this.env)?.toLowerCase();
    if (value === undefined) return undefined;
    if (!(STORE_NAMES as readonly string[]).includes(value)) {
      throw badInput(
        `AZCP_LOGIN_STORE is "${value}", which azcp does not know.`,
        `Use one of ${STORE_NAMES.join(", ")}.`,
      );
    }
    return value as StoreName;
  }

  /** The backend a new login goes to: the forced one, else the Secret Service when it works, else the file. */
  async chooseForSave(): Promise<LoginStoreBackend> {
    const forced = this.forced();
    if (forced) {
      const backend = this.backend(forced);
      if (!(await backend.available())) {
        throw new AzcpError(
          "bad-input",
          `AZCP_LOGIN_STORE=${forced}, but ${backend.describe()} is not usable here.`,
          {
            remedy:
              forced === "secret-service"
                ? "Run inside a desktop session (a D-Bus session with an unlocked keyring), or unset AZCP_LOGIN_STORE."
                : "Install keyutils (keyctl), or unset AZCP_LOGIN_STORE.",
          },
        );
      }
      return backend;
    }
    const secretService = this.backend("secret-service");
    return (await secretService.available()) ? secretService : this.backend("file");
  }

  private async pointer(): Promise<StoreName | undefined> {
    const text = await readFile(this.pointerPath, "utf8").catch(() => undefined);
    const name = text?.trim();
    return name && (STORE_NAMES as readonly string[]).includes(name) ? (name as StoreName) : undefined;
  }

  /** The backend that holds the current login, if any. */
  private async current(): Promise<LoginStoreBackend | undefined> {
    const name = this.forced() ?? (await this.pointer());
    if (name) return this.backend(name);
    const file = this.backend("file");
    return (await file.read()) === undefined ? undefined : file;
  }

  async save(login: PersistedLogin, backend?: LoginStoreBackend): Promise<LoginStoreBackend> {
    const target = backend ?? (await this.chooseForSave());
    const previous = await this.current().catch(() => undefined);
    await target.write(JSON.stringify(login));
    if (previous && previous.name !== target.name) await previous.remove().catch(() => undefined);
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await writeFile(this.pointerPath, `${target.name}\n`, { mode: 0o600 });
    return target;
  }

  async load(): Promise<{ login: PersistedLogin; backend: LoginStoreBackend } | undefined> {
    const backend = await this.current();
    if (!backend) return undefined;
    const data = await backend.read();
    if (data === undefined) return undefined;
    let login: PersistedLogin;
    try {
      login = JSON.parse(data);
    } catch {
      throw new AzcpError("bad-input", `The saved login in ${backend.describe()} is damaged.`, {
        remedy: "Run azcp logout, then azcp login again.",
      });
    }
    if (login.version !== 1 || !login.spec) {
      throw new AzcpError(
        "bad-input",
        `The saved login in ${backend.describe()} was written by another azcp version.`,
        {
          remedy: "Run azcp logout, then azcp login again.",
        },
      );
    }
    return { login, backend };
  }

  /** Removes the login from every place it may be; returns where something was removed. */
  async remove(): Promise<LoginStoreBackend[]> {
    const candidates = new Map<StoreName, LoginStoreBackend>();
    const current = await this.current().catch(() => undefined);
    if (current) candidates.set(current.name, current);
    candidates.set("file", this.backend("file"));
    const removed: LoginStoreBackend[] = [];
    for (const backend of candidates.values()) {
      if (await backend.remove().catch(() => false)) removed.push(backend);
    }
    await rm(this.pointerPath, { force: true });
    return removed;
  }
}
