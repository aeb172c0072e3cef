// What a token speaks for: which login made it and how it came to be used.
import type { LoginSpec } from "./login-spec.js";

export interface SignIn {
  readonly spec: LoginSpec;
  /** "auto-login" from AZCOPY_AUTO_LOGIN_TYPE, or "login" for the one `azcp login` stored. */
  readonly origin: "auto-login" | "login";
  readonly description: string;
}
