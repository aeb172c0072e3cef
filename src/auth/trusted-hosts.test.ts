import { describe, expect, it } from "vitest";
import type { AzcpError } from "../errors.js";
import { TrustedHosts } from "./trusted-hosts.js";

describe("TrustedHosts", () => {
  it("trusts the Azure clouds' storage suffixes and nothing else by default", () => {
    const hosts = new TrustedHosts();
    expect(hosts.isTrusted("acct.blob.core.windows.net")).toBe(true);
    expect(hosts.isTrusted("acct.file.core.chinacloudapi.cn")).toBe(true);
    expect(hosts.isTrusted("acct.z3.blob.storage.azure.net")).toBe(true);
    expect(hosts.isTrusted("core.windows.net.evil.example")).toBe(false);
    expect(hosts.isTrusted("evilcore.windows.net")).toBe(false);
    expect(hosts.isTrusted("127.0.0.1")).toBe(false);
  });

  it("adds what --trusted-microsoft-suffixes lists, with or without *.", () => {
    const hosts = new TrustedHosts("*.contoso.net; 127.0.0.1");
    expect(hosts.isTrusted("a.contoso.net")).toBe(true);
    expect(hosts.isTrusted("127.0.0.1")).toBe(true);
    expect(hosts.isTrusted("127.0.0.10")).toBe(false);
  });

  it("refuses plain http and untrusted hosts with a remedy", () => {
    const hosts = new TrustedHosts("127.0.0.1");
    const refusal = (url: string) => {
      try {
        hosts.assertMaySendToken(url);
      } catch (error) {
        return (error as AzcpError).describe();
      }
      return "sent";
    };
    expect(refusal("http://127.0.0.1:1/a")).toMatch(/plain HTTP.*Use an https:\/\/ URL/);
    expect(refusal("https://localhost:1/a")).toMatch(
      /not under a trusted.*--trusted-microsoft-suffixes "localhost"/,
    );
    expect(() => hosts.assertMaySendToken("https://127.0.0.1:1/a")).not.toThrow();
  });
});
