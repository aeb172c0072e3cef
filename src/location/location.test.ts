import { describe, expect, it } from "vitest";
import { displayLocation, encodePath, parseLocation, remoteUrl, sasExpiry } from "./location.js";
import { redactText } from "./redact.js";

describe("parseLocation", () => {
  it("reads account, service, container and path from a public-cloud URL", () => {
    const location = parseLocation(
      "https://myacct.blob.core.windows.net/box/dir/a%20b%23c.txt?sv=2024&sig=abc%2F",
    );
    expect(location).toMatchObject({
      type: "remote",
      service: "blob",
      accountName: "myacct",
      accountUrl: "https://myacct.blob.core.windows.net",
      container: "box",
      path: "dir/a b#c.txt",
      sas: "sv=2024&sig=abc%2F",
      pathStyle: false,
    });
  });

  it("knows Files, Data Lake and the other clouds from the host", () => {
    expect(parseLocation("https://a.file.core.chinacloudapi.cn/share/x")).toMatchObject({
      service: "file",
      container: "share",
    });
    expect(parseLocation("https://a.dfs.core.usgovcloudapi.net/fs")).toMatchObject({
      service: "dfs",
      container: "fs",
      path: "",
    });
    expect(parseLocation("https://a.z12.blob.storage.azure.net/c")).toMatchObject({
      service: "blob",
      accountName: "a",
    });
  });

  it("treats an IP or emulator URL as path-style Blob unless told otherwise", () => {
    const location = parseLocation("https://127.0.0.1:10000/devstoreaccount1/c/p/q");
    expect(location).toMatchObject({
      service: "blob",
      accountName: "devstoreaccount1",
      accountUrl: "https://127.0.0.1:10000/devstoreaccount1",
      container: "c",
      path: "p/q",
      pathStyle: true,
    });
    expect(parseLocation("https://127.0.0.1:10000/acct/share", { serviceHint: "file" })).toMatchObject({
      service: "file",
    });
  });

  it("keeps snapshot and version parameters apart from the SAS", () => {
    const location = parseLocation("https://a.blob.core.windows.net/c/b?snapshot=2024-01-01T00:00:00Z");
    expect(location).toMatchObject({ sas: undefined, extraQuery: "snapshot=2024-01-01T00:00:00Z" });
  });

  it("never shows a SAS signature", () => {
    const location = parseLocation("https://a.blob.core.windows.net/c/b?sv=1&se=2030-01-01&sig=SECRETSIG");
    expect(displayLocation(location)).toBe(
      "https://a.blob.core.windows.net/c/b?sv=1&se=2030-01-01&sig=REDACTED",
    );
    expect(redactText("GET https://x/y?sig=SECRETSIG&a=1 Bearer eyJabc.def")).not.toMatch(/SECRETSIG|eyJabc/);
    // Each kind of secret on its own, as the checks for each pattern's literal part see them.
    expect(redactText("token eyJhbGciOiJI.eyJzdWIiOiIx.c2lnbmF0dXJl ends")).toBe("token REDACTED ends");
    expect(redactText("Authorization: Bearer opaque-token.value")).toBe("Authorization: Bearer REDACTED");
    expect(redactText("https://x/y?SIG=SECRETSIG")).toBe("https://x/y?SIG=REDACTED");
    expect(redactText("DRYRUN: copy https://x/c/a.bin to /tmp/a.bin")).toBe(
      "DRYRUN: copy https://x/c/a.bin to /tmp/a.bin",
    );
  });

  it("encodes every character of a path as encodeURIComponent does its segments", () => {
    const ascii = Array.from({ length: 127 }, (_, code) => String.fromCharCode(code + 1)).join("");
    for (const path of [ascii, "plain/dir/file-1_2.bin", "a//b/", "(x)!~*'.txt", "é/😀", ""])
      expect(encodePath(path)).toBe(path.split("/").map(encodeURIComponent).join("/"));
  });

  it("re-encodes paths for URLs", () => {
    const location = parseLocation("https://a.blob.core.windows.net/c");
    if (location.type !== "remote") throw new Error("remote expected");
    expect(remoteUrl(location, "d/a b#?%.txt")).toBe(
      "https://a.blob.core.windows.net/c/d/a%20b%23%3F%25.txt",
    );
  });

  it("reads a SAS's expiry", () => {
    expect(sasExpiry("sv=1&se=2030-01-02T03%3A04%3A05Z&sig=x")?.toISOString()).toBe(
      "2030-01-02T03:04:05.000Z",
    );
    expect(sasExpiry("sv=1&sig=x")).toBeUndefined();
  });

  it("resolves local paths and rejects malformed URLs with a remedy", () => {
    expect(parseLocation("data/x", { cwd: "/tmp" })).toEqual({
      type: "local",
      path: "/tmp/data/x",
      original: "data/x",
    });
    expect(() => parseLocation("https://exa mple.com/c")).toThrow(/not a valid URL/);
    expect(() => parseLocation("https://a.blob.core.windows.net/c/%E0%A4%A")).toThrow(/malformed %-escape/);
  });
});
