// One object replaced at its source while azcp copies it to Blob: the copy must fail with
// "source modified during transfer" and leave no blob. Shared by every source's tests.
import { expect } from "vitest";
import {
  AZCP_BIN,
  baseEnv,
  blobNames,
  createContainer,
  proxyInFrontOfAzurite,
  startProcess,
  testHome,
  viaProxy,
  waitUntil,
} from "./harness.js";

const MIB = 1024 * 1024;

/**
 * Large objects go in blocks, checked before they are committed; a small one in one request,
 * which lands under its final name at once, so the service must hold it to the listed version
 * (an Azure source's ETag, another cloud's MD5) or it is staged as one block and checked first.
 */
export const REPLACED_CASES = [
  { path: "service-side", size: 24 * MIB, blocks: true },
  { path: "through this machine", size: 24 * MIB, blocks: true },
  { path: "service-side", size: 3 * MIB, blocks: false },
] as const;

export type ReplacedCase = (typeof REPLACED_CASES)[number];

export const replacedTitle = ({ path, size }: ReplacedCase) =>
  `an object of ${size / MIB} MiB replaced while it is copied (${path}) fails, and no blob is committed`;

export async function copyWhileReplaced(options: {
  case: ReplacedCase;
  /** The object's URL. */
  source: string;
  fromTo: string;
  env: Record<string, string>;
  replace(): Promise<void>;
}): Promise<void> {
  const { path, blocks } = options.case;
  const home = await testHome();
  const proxy = await proxyInFrontOfAzurite({ copyFromUrl: path === "service-side" });
  try {
    const destination = await createContainer();
    // Each write of the object waits a moment first, so it is replaced before most are made.
    proxy.rules.push({ methods: ["PUT"], path: "/data\\.bin$", reply: { type: "stall", ms: 1500 } });
    const { child, output, exit } = startProcess(
      process.execPath,
      [
        AZCP_BIN,
        "copy",
        options.source,
        viaProxy(proxy, destination, "data.bin"),
        "--from-to",
        options.fromTo,
        ...(blocks ? ["--block-size-mb", "4"] : []),
      ],
      { ...baseEnv(home), ...options.env, AZCOPY_CONCURRENCY_VALUE: "2" },
      home,
    );
    // Replaced once the first block is on its way: azcp listed the first version, however slow the machine.
    await waitUntil(exit, () =>
      proxy.log.some((entry) => entry.method === "PUT" && entry.path.endsWith("/data.bin")),
    );
    await options.replace();
    expect(await exit, output()).toBe(1);
    expect(child.signalCode).toBe(null);
    expect(output()).toMatch(/source modified during transfer/);
    expect(await blobNames(destination)).toEqual([]);
  } finally {
    await proxy.close();
  }
}
