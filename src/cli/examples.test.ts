import { describe, expect, it } from "vitest";
import type { CommandName } from "../options/table.js";
import { EXAMPLES } from "./examples.js";
import { flagsFor } from "./flags.js";
import { GLOBAL_FLAGS } from "./global-flags.js";
import { buildProgram } from "./main.js";

describe("help examples", () => {
  it("use only flags their command takes, and run the command they belong to", () => {
    const globals = new Set(GLOBAL_FLAGS.map((flag) => flag.name));
    for (const [command, examples] of Object.entries(EXAMPLES)) {
      const known = new Set(flagsFor(command as CommandName).map((flag) => flag.name));
      expect(examples.length, command).toBeGreaterThan(0);
      for (const [, line] of examples) {
        expect(line, command).toContain(`azcp ${command} `);
        for (const [, flag] of line.matchAll(/\s--([a-z0-9-]+)/g))
          expect(known.has(flag!) || globals.has(flag!), `${command}: --${flag}`).toBe(true);
      }
    }
  });

  it("appear in each command's help", () => {
    const program = buildProgram();
    for (const command of program.commands.filter((each) => each.name() in EXAMPLES)) {
      let text = "";
      command.configureOutput({ writeOut: (chunk) => (text += chunk) });
      command.outputHelp();
      expect(text, command.name()).toContain("Examples:");
      expect(text, command.name()).toContain(EXAMPLES[command.name()]![0]![1]);
    }
  });
});
