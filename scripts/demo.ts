// `npm run demo`: the main job on the local stack. Starts Azurite and the Entra ID emulator, then
// runs the demo's steps (scripts/demo-steps.ts) in a process that trusts the stack's CA.
import { spawn } from "node:child_process";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { startStack } from "../test/support/stack.js";

const here = join(fileURLToPath(import.meta.url), "..");
const stack = await startStack();
let status = 1;
try {
  // Asynchronously: the emulator runs in this process and must keep answering.
  const child = spawn(process.execPath, ["--import", "tsx", join(here, "demo-steps.ts")], {
    stdio: "inherit",
    env: {
      ...process.env,
      NODE_EXTRA_CA_CERTS: stack.info.caCertPath,
      AZCP_DEMO_STACK: JSON.stringify(stack.info),
    },
  });
  status = await new Promise<number>((resolve) => child.on("close", (code) => resolve(code ?? 1)));
  const tokenRequests = stack.emulator.requests({ kind: "token" });
  process.stdout.write(
    `\nThe Entra ID emulator issued ${tokenRequests.filter((r) => r.status === 200).length} token(s) to azcp.\n`,
  );
  process.stdout.write(`\n== ${status === 0 ? "Demo passed" : "Demo FAILED"}\n`);
} finally {
  await stack.stop();
}
process.exit(status);
