// Flags declared as data: help, parsing and validation come from one table per command.
import { type Command, InvalidArgumentError, Option } from "commander";
import { type CommandName, optionsOf } from "../options/table.js";

export interface FlagSpec {
  /** Long name without dashes, e.g. "output-type". */
  readonly name: string;
  /** Placeholder for a flag that takes a value ("<type>"); absent for a boolean switch. */
  readonly value?: string;
  readonly help: string;
  readonly defaultValue?: string | boolean;
  /** Allowed values, matched case-insensitively and given back in this spelling. */
  readonly choices?: readonly string[];
  readonly hidden?: boolean;
}

function choiceParser(spec: FlagSpec) {
  return (raw: string) => {
    const found = spec.choices?.find((choice) => choice.toLowerCase() === raw.trim().toLowerCase());
    if (found === undefined) {
      throw new InvalidArgumentError(`Use one of: ${spec.choices?.join(", ")}.`);
    }
    return found;
  };
}

/** A command's flags, from the option table. */
export function flagsFor(command: CommandName): FlagSpec[] {
  return optionsOf(command).map((spec) => ({
    name: spec.flag,
    help: spec.example ? `${spec.help} Example: --${spec.flag} "${spec.example}".` : spec.help,
    ...(spec.kind !== "switch" ? { value: spec.value ?? "<value>" } : {}),
    ...(spec.defaultValue !== undefined ? { defaultValue: spec.defaultValue } : {}),
    ...(spec.choices ? { choices: spec.choices } : {}),
    ...(spec.hidden ? { hidden: true } : {}),
  }));
}

export function addFlags(command: Command, specs: readonly FlagSpec[]): Command {
  for (const spec of specs) {
    const option = new Option(`--${spec.name}${spec.value ? ` ${spec.value}` : ""}`, spec.help);
    if (spec.choices) option.argParser(choiceParser(spec));
    if (spec.defaultValue !== undefined) option.default(spec.defaultValue);
    if (spec.hidden) option.hideHelp();
    command.addOption(option);
    if (!spec.value) {
      // AzCopy's flag library accepts --flag=false; commander spells that --no-flag.
      command.addOption(new Option(`--no-${spec.name}`).hideHelp());
    }
  }
  return command;
}

/**
 * Rewrite --switch=true / --switch=false (AzCopy's spelling of boolean flags) into what
 * commander understands, for every boolean flag of every command.
 */
export function normalizeBooleanFlags(argv: readonly string[], booleanNames: ReadonlySet<string>): string[] {
  return argv.map((arg) => {
    const match = /^--([a-z0-9-]+)=(true|false)$/i.exec(arg);
    if (!match || !booleanNames.has(match[1]!)) return arg;
    return match[2]!.toLowerCase() === "true" ? `--${match[1]}` : `--no-${match[1]}`;
  });
}
