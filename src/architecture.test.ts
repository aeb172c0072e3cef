// The shape DESIGN.md asks for, checked on every `npm test`: imports point down the layers, no
// module depends on itself through others (type-only imports count), and storage backends
// know nothing of each other. Run alone: `npx vitest run src/architecture.test.ts`.
import { readdirSync, readFileSync, statSync } from "node:fs";
import { dirname, join, normalize, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { describe, expect, it } from "vitest";

const SRC = dirname(fileURLToPath(import.meta.url));

/** Top to bottom: a module may import its own layer or one further down, never one above. */
const LAYERS = [
  "cli",
  "api",
  "engine",
  "jobs",
  // The option table and its value parsers: data the engine reads, so below it (DESIGN.md lists
  // it above the engine; the engine's option types are derived from it, which needs it below).
  "options",
  "storage",
  "auth",
  "transport",
  "location",
  "settings",
  "errors",
  "version",
];

function modules(folder = SRC): string[] {
  return readdirSync(folder).flatMap((name) => {
    const path = join(folder, name);
    if (statSync(path).isDirectory()) return modules(path);
    return path.endsWith(".ts") && !path.endsWith(".test.ts") ? [path] : [];
  });
}

function importsOf(file: string): string[] {
  const text = readFileSync(file, "utf8");
  const found = text.matchAll(/(?:from|import)\s*\(?\s*["'](\.{1,2}\/[^"']+)["']/g);
  return [...found].map((match) => normalize(join(dirname(file), match[1]!.replace(/\.js$/, ".ts"))));
}

const graph = new Map(modules().map((file) => [file, importsOf(file)]));
const name = (file: string) => relative(SRC, file);
const layerOf = (file: string) => LAYERS.indexOf(name(file).split("/")[0]!.replace(/\.ts$/, ""));
/** storage/<backend>/...: the backend's folder, or undefined for storage's shared modules. */
const backendOf = (file: string) => {
  const parts = name(file).split("/");
  return parts[0] === "storage" && parts.length > 2 && parts[1] !== "rest" ? parts[1] : undefined;
};

describe("architecture", () => {
  it("every module belongs to a known layer", () => {
    expect([...graph.keys()].filter((file) => layerOf(file) < 0).map(name)).toEqual([]);
  });

  it("imports point down the layers", () => {
    const upward: string[] = [];
    for (const [file, imports] of graph)
      for (const target of imports)
        if (layerOf(target) < layerOf(file)) upward.push(`${name(file)} -> ${name(target)}`);
    expect(upward).toEqual([]);
  });

  it("no import cycle, type-only imports included", () => {
    const cycles: string[] = [];
    const state = new Map<string, "open" | "done">();
    const path: string[] = [];
    const visit = (file: string) => {
      state.set(file, "open");
      path.push(file);
      for (const target of graph.get(file) ?? []) {
        if (state.get(target) === "open")
          cycles.push([...path.slice(path.indexOf(target)), target].map(name).join(" -> "));
        else if (!state.has(target)) visit(target);
      }
      path.pop();
      state.set(file, "done");
    };
    for (const file of graph.keys()) if (!state.has(file)) visit(file);
    expect(cycles).toEqual([]);
  });

  it("the command line uses the library only through api.ts (and the option table)", () => {
    const around: string[] = [];
    for (const [file, imports] of graph) {
      if (!name(file).startsWith("cli/")) continue;
      for (const target of imports) {
        const inside = name(target);
        if (!inside.startsWith("cli/") && inside !== "api.ts" && !inside.startsWith("options/"))
          around.push(`${name(file)} -> ${inside}`);
      }
    }
    expect(around).toEqual([]);
  });

  it("the engine and api.ts reach backends only through storage/registry.ts", () => {
    const direct: string[] = [];
    for (const [file, imports] of graph) {
      if (!name(file).startsWith("engine/") && name(file) !== "api.ts") continue;
      for (const target of imports) if (backendOf(target)) direct.push(`${name(file)} -> ${name(target)}`);
    }
    expect(direct).toEqual([]);
  });

  it("a storage backend imports no other backend", () => {
    const crossing: string[] = [];
    for (const [file, imports] of graph) {
      const own = backendOf(file);
      if (!own) continue;
      for (const target of imports) {
        const other = backendOf(target);
        if (other && other !== own) crossing.push(`${name(file)} -> ${name(target)}`);
      }
    }
    expect(crossing).toEqual([]);
  });
});
