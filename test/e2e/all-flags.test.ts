// Every flag that AzCopy 10.32.2's help shows, for every command, is one azcp accepts: read from
// the real AzCopy's --help and compared with the options azcp's program registers (own and
// global), so `alias azcopy=azcp` never meets "unknown option".
import type { Command, Option } from "commander";
import { describe, expect, it } from "vitest";
import { buildProgram } from "../../src/cli/main.js";
import { runAzcopy } from "../support/azcopy.js";
import { testHome } from "../support/harness.js";

const COMMANDS = [
  "copy",
  "sync",
  "remove",
  "list",
  "set-properties",
  "make",
  "jobs list",
  "jobs show",
  "jobs resume",
  "jobs clean",
  "jobs remove",
  "login",
  "login status",
  "logout",
  "env",
  "bench",
  "completion",
  "doc",
];

/** Go flag types as pflag prints them after the name; anything else there is a bool's placeholder. */
const VALUE_TYPES = new Set([
  "string",
  "uint32",
  "uint",
  "int",
  "float",
  "float64",
  "stringArray",
  "stringSlice",
]);

interface AzcopyFlag {
  name: string;
  takesValue: boolean;
}

function flagsInHelp(help: string): AzcopyFlag[] {
  const flags: AzcopyFlag[] = [];
  for (const line of help.split("\n")) {
    const match = /^\s+(?:-\w, )?--([a-z0-9-]+)(?: (\S+))?/.exec(line);
    if (!match?.[1] || match[1] === "help") continue;
    flags.push({ name: match[1], takesValue: VALUE_TYPES.has(match[2] ?? "") });
  }
  return flags;
}

function commandAt(program: Command, path: string): Command {
  let command = program;
  for (const name of path.split(" ")) {
    const next = command.commands.find((sub) => sub.name() === name || sub.aliases().includes(name));
    if (!next) throw new Error(`azcp has no command "${path}"`);
    command = next;
  }
  return command;
}

function acceptedOptions(command: Command): Map<string, Option> {
  const options = new Map<string, Option>();
  for (let at: Command | null = command; at; at = at.parent) {
    for (const option of at.options) if (option.long) options.set(option.long.slice(2), option);
  }
  return options;
}

describe.concurrent("every AzCopy flag", () => {
  for (const path of COMMANDS) {
    it(`azcp ${path} accepts each flag of azcopy ${path} --help, taking a value where AzCopy does`, async () => {
      const help = await runAzcopy([...path.split(" "), "--help"], await testHome());
      expect(help.code, help.all).toBe(0);
      const azcopyFlags = flagsInHelp(help.stdout);
      expect(azcopyFlags.length).toBeGreaterThan(5);
      const accepted = acceptedOptions(commandAt(buildProgram(), path));
      const missing = azcopyFlags.filter((flag) => !accepted.has(flag.name)).map((flag) => flag.name);
      expect(missing, `flags azcp ${path} rejects`).toEqual([]);
      const wrongArity = azcopyFlags
        .filter(
          (flag) =>
            flag.takesValue && !(accepted.get(flag.name)?.required || accepted.get(flag.name)?.optional),
        )
        .map((flag) => flag.name);
      expect(wrongArity, `flags azcp ${path} takes as switches but AzCopy gives a value`).toEqual([]);
    });
  }
});
