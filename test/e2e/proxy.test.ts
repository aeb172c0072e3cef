// Through a real HTTP proxy (Debian's tinyproxy, started here): every request of copy, sync,
// list and remove, and a service principal's sign-in, goes through a CONNECT tunnel when
// HTTPS_PROXY is set, and none does when NO_PROXY names the host.
import { type ChildProcess, spawn } from "node:child_process";
import { readFile, writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createContainer,
  runAzcp,
  spnEnv,
  stack,
  testHome,
  uniqueTenant,
  writeTree,
} from "../support/harness.js";

let proxy: ChildProcess;
let proxyUrl: string;
let logFile: string;

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  const { port } = server.address() as { port: number };
  await new Promise((resolve) => server.close(resolve));
  return port;
}

beforeAll(async () => {
  const home = await testHome();
  const port = await freePort();
  logFile = join(home, "tinyproxy.log");
  const config = join(home, "tinyproxy.conf");
  // No ConnectPort line: CONNECT may reach any port (Azurite and the emulator use random ones).
  await writeFile(
    config,
    `Port ${port}\nListen 127.0.0.1\nTimeout 60\nLogFile "${logFile}"\nLogLevel Connect\nMaxClients 200\nAllow 127.0.0.1\n`,
  );
  proxy = spawn("tinyproxy", ["-d", "-c", config], { stdio: "ignore" });
  proxyUrl = `http://127.0.0.1:${port}`;
  for (let tries = 0; tries < 50; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = createServer().listen(port, "127.0.0.1");
      socket.on("listening", () => socket.close(() => resolve(false)));
      socket.on("error", () => resolve(true));
    });
    if (up) break;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
});

afterAll(() => {
  proxy?.kill();
});

async function tunnelsTo(port: string): Promise<number> {
  const log = await readFile(logFile, "utf8").catch(() => "");
  return log.split("\n").filter((line) => line.includes(`CONNECT 127.0.0.1:${port}`)).length;
}

describe("through an HTTP proxy", () => {
  it("tunnels every command's requests, and a sign-in's, and none for NO_PROXY hosts", async () => {
    const home = await testHome();
    const root = await writeTree(join(home, "tree"), { "a.txt": "a", "d/b.txt": "b" });
    const container = await createContainer();
    const blobPort = new URL(stack().blobEndpoint).port;
    const identityPort = new URL(stack().identityUrl).port;
    const viaProxy = { HTTPS_PROXY: proxyUrl, NO_PROXY: undefined, no_proxy: undefined };
    for (const args of [
      ["copy", root, container.sasUrl(), "--recursive"],
      ["sync", root, container.sasUrl().replace("?", "/tree?"), "--delete-destination", "true"],
      ["list", container.sasUrl()],
      ["remove", container.sasUrl().replace("?", "/tree/d?"), "--recursive"],
    ]) {
      const before = await tunnelsTo(blobPort);
      const result = await runAzcp(args, home, { env: viaProxy });
      expect(result.code, `${args[0]}: ${result.all}`).toBe(0);
      expect(await tunnelsTo(blobPort), args[0]).toBeGreaterThan(before);
    }
    const beforeSignIn = await tunnelsTo(identityPort);
    const signedIn = await runAzcp(
      ["list", container.url, "--trusted-microsoft-suffixes", "127.0.0.1"],
      home,
      {
        env: { ...spnEnv(uniqueTenant()), ...viaProxy },
      },
    );
    expect(signedIn.code, signedIn.all).toBe(0);
    expect(await tunnelsTo(identityPort)).toBeGreaterThan(beforeSignIn);

    const quiet = await tunnelsTo(blobPort);
    const bypassed = await runAzcp(["list", container.sasUrl()], home, {
      env: { HTTPS_PROXY: proxyUrl, NO_PROXY: "127.0.0.1" },
    });
    expect(bypassed.code, bypassed.all).toBe(0);
    expect(await tunnelsTo(blobPort)).toBe(quiet);
  });
});
