// Where `azcp login` keeps a login: one interface, three backends (Secret Service, a private
// file, the kernel user keyring). The login is one opaque string (JSON) to every backend.

export type StoreName = "secret-service" | "file" | "keyring";

export const STORE_NAMES: readonly StoreName[] = ["secret-service", "file", "keyring"];

export interface LoginStoreBackend {
  readonly name: StoreName;
  /** Where the login is, for messages: never includes the secret. */
  describe(): string;
  /** Whether the backend works here (for automatic choice). */
  available(): Promise<boolean>;
  read(): Promise<string | undefined>;
  write(data: string): Promise<void>;
  /** True when something was removed. */
  remove(): Promise<boolean>;
}
