import { readFileSync } from "node:fs";

/** Set by the CLI bundle (scripts/build-cli.mjs); absent when the library runs from dist/. */
declare const AZCP_VERSION: string | undefined;

/** The package version. */
export const VERSION: string =
  typeof AZCP_VERSION === "string"
    ? AZCP_VERSION
    : JSON.parse(readFileSync(new URL("../package.json", import.meta.url), "utf8")).version;
