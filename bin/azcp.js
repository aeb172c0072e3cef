#!/usr/bin/env -S node --max-semi-space-size=2 --heap-growing-percent=50
// The flags keep the heap small: V8's defaults let a long listing's garbage grow the process to
// 160-220 MB before collecting it; with these a million-object job stays near 100 MB.
import { main } from "../dist/bundle/main.js";

await main(process.argv);
