// Loaded with `node --import`: writes the URL of every module the process loads to the file
// named by AZCP_RECORD_IMPORTS, so a test can check what a command pulls in at start-up.
import { register } from "node:module";

const hooks = `
import { appendFileSync } from "node:fs";
let file;
export function initialize(data) { file = data.file; }
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(file, result.url + "\\n");
  return result;
}`;
register(`data:text/javascript,${encodeURIComponent(hooks)}`, {
  data: { file: process.env.AZCP_RECORD_IMPORTS },
});
