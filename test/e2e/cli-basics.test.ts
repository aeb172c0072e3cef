import { readFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { PROJECT_ROOT, parseJsonLines, runAzcp, stack, testHome } from "../support/harness.js";

const packageVersion = JSON.parse(await readFile(join(PROJECT_ROOT, "package.json"), "utf8")).version;

/** Output files of the CLI bundle that contain code of an Azure SDK package. */
async function azureChunks(): Promise<Set<string>> {
  const meta = JSON.parse(await readFile(join(PROJECT_ROOT, "dist", "bundle", "meta.json"), "utf8"));
  const chunks = new Set<string>();
  for (const [output, info] of Object.entries(
    meta.outputs as Record<string, { inputs: Record<string, unknown> }>,
  )) {
    if (Object.keys(info.inputs).some((input) => input.includes("node_modules/@azure/"))) {
      chunks.add(output.slice(output.lastIndexOf("/") + 1));
    }
  }
  return chunks;
}

async function loadedAzureChunks(imports: string[]): Promise<string[]> {
  const chunks = await azureChunks();
  return imports.filter((url) => url.includes("@azure") || chunks.has(url.slice(url.lastIndexOf("/") + 1)));
}

async function importsOf(args: string[], env: Record<string, string> = {}) {
  const home = await testHome();
  const file = join(home, "imports.txt");
  const result = await runAzcp(args, home, {
    nodeArgs: ["--import", join(PROJECT_ROOT, "test", "support", "record-imports.mjs")],
    env: { AZCP_RECORD_IMPORTS: file, ...env },
  });
  return { result, imports: (await readFile(file, "utf8")).split("\n").filter(Boolean) };
}

describe.concurrent("azcp basics", () => {
  it("prints its version and loads no Azure SDK to do it", async () => {
    const { result, imports } = await importsOf(["--version"]);
    expect(result.code).toBe(0);
    expect(result.stdout.trim()).toBe(`azcp version ${packageVersion}`);
    expect(imports.some((url) => url.endsWith("/dist/bundle/main.js"))).toBe(true);
    expect(await loadedAzureChunks(imports)).toEqual([]);
  });

  it("prints help for the program and a command without loading an Azure SDK", async () => {
    const top = await importsOf(["--help"]);
    expect(top.result.code).toBe(0);
    for (const flag of [
      "--output-type",
      "--output-level",
      "--log-level",
      "--trusted-microsoft-suffixes",
      "--cap-mbps",
    ]) {
      expect(top.result.stdout).toContain(flag);
    }
    expect(top.result.stdout).toMatch(/list\|ls/);
    expect(await loadedAzureChunks(top.imports)).toEqual([]);
    const list = await importsOf(["list", "--help"]);
    expect(list.result.stdout).toContain("--running-tally");
    // As AzCopy's, every command's help lists the flags that apply to all commands.
    expect(list.result.stdout).toMatch(/Global Options:[\s\S]*--output-type[\s\S]*--cap-mbps/);
    expect(await loadedAzureChunks(list.imports)).toEqual([]);
  });

  it("loads the Azure SDK chunks when a command needs them (the check above can see them)", async () => {
    // A sign-in needs @azure/identity; a SAS needs no SDK at all (listing runs on azcp's transport).
    const bySas = await importsOf(["list", `${stack().blobEndpoint}/nope?sv=2020-01-01&sig=bogus`]);
    expect(bySas.result.code).toBe(1);
    expect(await loadedAzureChunks(bySas.imports)).toEqual([]);
    const { result, imports } = await importsOf(["list", `${stack().blobEndpoint}/nope`], {
      AZCOPY_AUTO_LOGIN_TYPE: "SPN",
      AZCOPY_SPA_APPLICATION_ID: "00000000-0000-0000-0000-000000000000",
      AZCOPY_SPA_CLIENT_SECRET: "not-a-secret",
      AZCOPY_TENANT_ID: "00000000-0000-0000-0000-000000000000",
    });
    expect(result.code).toBe(1);
    expect((await loadedAzureChunks(imports)).length).toBeGreaterThan(0);
  });

  it("exits 0 for --check-version alone, as AzCopy does (azcp never calls home)", async () => {
    const home = await testHome();
    const alone = await runAzcp(["--check-version"], home);
    expect(alone.code, alone.all).toBe(0);
    expect(alone.stdout).toBe("");
    const withCommand = await runAzcp(["env", "--check-version"], home);
    expect(withCommand.code, withCommand.all).toBe(0);
  });

  it("rejects an unknown flag and a bad flag value with exit code 1", async () => {
    const home = await testHome();
    const unknown = await runAzcp(["list", "https://a.blob.core.windows.net/c", "--no-such-flag"], home);
    expect(unknown.code).toBe(1);
    expect(unknown.stderr).toContain("--no-such-flag");
    const badChoice = await runAzcp(["--output-type", "xml", "env"], home);
    expect(badChoice.code).toBe(1);
    expect(badChoice.stderr).toMatch(/text, json/);
  });

  it("accepts flag values in any case, as AzCopy does", async () => {
    const home = await testHome();
    const result = await runAzcp(["env", "--output-type", "JSON"], home);
    expect(result.code).toBe(0);
    expect(parseJsonLines(result.stdout).length).toBeGreaterThan(5);
  });

  it("env lists every variable with its value and masks secrets unless --show-sensitive", async () => {
    const home = await testHome();
    const secret = "env-test-secret-Value-123";
    const env = {
      AZCOPY_SPA_CLIENT_SECRET: secret,
      AZCOPY_CONCURRENCY_VALUE: "16",
      AZCOPY_SPA_CERT_PASSWORD: undefined,
    };
    const masked = await runAzcp(["env"], home, { env });
    expect(masked.code).toBe(0);
    expect(masked.all).not.toContain(secret);
    expect(masked.stdout).toContain("INFO: Name: AZCOPY_SPA_CLIENT_SECRET\nCurrent Value: REDACTED\n");
    expect(masked.stdout).toContain("INFO: Name: AZCOPY_CONCURRENCY_VALUE\nCurrent Value: 16\n");
    expect(masked.stdout).toContain("INFO: Name: AZCOPY_SPA_CERT_PASSWORD\nCurrent Value: \n");
    for (const name of [
      "AZCOPY_AUTO_LOGIN_TYPE",
      "AZCOPY_TENANT_ID",
      "AZCOPY_MSI_CLIENT_ID",
      "AZCOPY_BUFFER_GB",
      "AZCP_LOGIN_STORE",
    ]) {
      expect(masked.stdout).toContain(`INFO: Name: ${name}\n`);
    }
    const shown = await runAzcp(["env", "--show-sensitive"], home, { env });
    expect(shown.stdout).toContain(`Current Value: ${secret}`);

    const json = await runAzcp(["env", "--output-type", "json"], home, { env });
    const messages = parseJsonLines(json.stdout);
    expect(
      messages.every((message) => message.MessageType === "Info" || message.MessageType === "EndOfJob"),
    ).toBe(true);
    expect(json.stdout).not.toContain(secret);
  });
});
