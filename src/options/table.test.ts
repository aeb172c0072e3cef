import { describe, expect, it } from "vitest";
import { bytesOption, countOption, dateOption, planOptions } from "./read.js";
import { type CommandName, camelCase, OPTIONS, optionsOf } from "./table.js";

const COMMANDS: CommandName[] = ["copy", "sync", "remove", "set-properties", "list", "make"];

describe("the option table", () => {
  it("declares each flag once per command, with help, and defaults among its choices", () => {
    for (const command of COMMANDS) {
      const flags = optionsOf(command).map((spec) => spec.flag);
      expect(new Set(flags).size, command).toBe(flags.length);
    }
    for (const spec of OPTIONS) {
      expect(spec.help.length, spec.flag).toBeGreaterThan(10);
      const { choices, defaultValue } = spec as { choices?: readonly string[]; defaultValue?: unknown };
      if (choices && typeof defaultValue === "string") expect(choices, spec.flag).toContain(defaultValue);
      expect(camelCase(spec.flag)).toMatch(/^[a-z][A-Za-z0-9]*$/);
    }
  });

  it("reads values by kind, naming the flag and its limit in errors", () => {
    expect(bytesOption("copy", "blockSizeMb", "0.25")).toBe(262_144);
    expect(bytesOption("copy", "blockSizeMb", undefined)).toBeUndefined();
    expect(() => bytesOption("copy", "blockSizeMb", "5000")).toThrow(
      /--block-size-mb 5000 MiB is larger .* \(4000 MiB\)/,
    );
    expect(() => bytesOption("copy", "putBlobSizeMb", "-1")).toThrow(/--put-blob-size-mb/);
    expect(dateOption("copy", "includeAfter", "2020-08-19T15:04:00Z")?.toISOString()).toBe(
      "2020-08-19T15:04:00.000Z",
    );
    expect(() => dateOption("remove", "includeBefore", "yesterday")).toThrow(/--include-before "yesterday"/);
    expect(countOption("make", "quotaGb", "100")).toBe(100);
    expect(() => countOption("make", "quotaGb", "1.5")).toThrow(/--quota-gb "1.5" is not a whole number/);
  });

  it("keeps in a plan only the command's own options, as JSON values", () => {
    const kept = planOptions("copy", {
      blockSizeMb: "16",
      includeAfter: new Date("2024-01-01T00:00:00Z"),
      dryRun: true,
      askOverwrite: () => true,
      authorizer: {},
      quotaGb: 5,
    });
    expect(kept).toEqual({ blockSizeMb: "16", includeAfter: "2024-01-01T00:00:00.000Z" });
  });
});
