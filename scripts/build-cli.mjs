// Bundle the CLI with esbuild: Node 20 pays about 1 ms per ES module loaded, and the Azure SDKs
// are hundreds of modules, so one bundle (split at the CLI's lazy imports) starts much faster.
// The metafile records which chunks hold which packages, for the start-up test.
import { readFile, rm, writeFile } from "node:fs/promises";
import { build } from "esbuild";

const { version } = JSON.parse(await readFile(new URL("../package.json", import.meta.url), "utf8"));
const outdir = new URL("../dist/bundle/", import.meta.url).pathname;
await rm(outdir, { recursive: true, force: true });
const result = await build({
  entryPoints: [new URL("../src/cli/main.ts", import.meta.url).pathname],
  bundle: true,
  splitting: true,
  format: "esm",
  platform: "node",
  target: "node20",
  outdir,
  metafile: true,
  logLevel: "warning",
  define: { AZCP_VERSION: JSON.stringify(version) },
  // Bundled CommonJS packages call require(); give the ES module output a real one.
  banner: {
    js: 'import { createRequire as __azcpCreateRequire } from "node:module"; const require = __azcpCreateRequire(import.meta.url);',
  },
});
await writeFile(`${outdir}meta.json`, JSON.stringify(result.metafile));
