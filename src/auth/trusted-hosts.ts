// Where a Microsoft Entra token may go: only over HTTPS, and only to hosts under a trusted
// Microsoft suffix (plus what the user adds with --trusted-microsoft-suffixes).
import { AzcpError } from "../errors.js";

export const DEFAULT_TRUSTED_SUFFIXES: readonly string[] = [
  "core.windows.net",
  "core.chinacloudapi.cn",
  "core.cloudapi.de",
  "core.usgovcloudapi.net",
  "storage.azure.net",
];

export class TrustedHosts {
  readonly suffixes: readonly string[];

  /** @param extra semicolon-separated suffixes, as given to --trusted-microsoft-suffixes */
  constructor(extra: string | readonly string[] = []) {
    const added = (typeof extra === "string" ? extra.split(";") : extra)
      .map((suffix) =>
        suffix
          .trim()
          .toLowerCase()
          .replace(/^\*?\./, ""),
      )
      .filter((suffix) => suffix.length > 0);
    this.suffixes = [...DEFAULT_TRUSTED_SUFFIXES, ...added];
  }

  isTrusted(hostname: string): boolean {
    const host = hostname.toLowerCase().replace(/^\[|\]$/g, "");
    return this.suffixes.some((suffix) => host === suffix || host.endsWith(`.${suffix}`));
  }

  /** Throws unless a bearer token may be sent to this URL. */
  assertMaySendToken(url: string): void {
    const parsed = new URL(url);
    if (parsed.protocol !== "https:") {
      throw new AzcpError(
        "bad-input",
        `azcp does not send Microsoft Entra tokens over plain HTTP (${parsed.origin}).`,
        {
          remedy: "Use an https:// URL, or authorize this location with a SAS instead.",
        },
      );
    }
    if (!this.isTrusted(parsed.hostname)) {
      throw new AzcpError(
        "bad-input",
        `azcp does not send Microsoft Entra tokens to ${parsed.hostname}: it is not under a trusted Microsoft suffix.`,
        {
          remedy: `If you trust this host, add it with --trusted-microsoft-suffixes "${parsed.hostname}", or authorize it with a SAS.`,
        },
      );
    }
  }
}
