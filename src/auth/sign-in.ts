// What a token speaks for: which login made it and how it came to be used.
import type { LoginSpec } from "./login-spec.js";

export interface SignIn {
  readonly spec: LoginSpec;
  /**
   * "auto-login" from AZCOPY_AUTO_LOGIN_TYPE, "login" for the one `azcp login` stored, "handed"
   * for a token a driving program put in AZCOPY_OAUTH_TOKEN_INFO.
   */
  readonly origin: "auto-login" | "login" | "handed" | "given";
  readonly description: string;
}
