// Option values read by the table: a flag's kind decides its parser, and its entry gives the name
// errors use and the limits, so no caller repeats them.
import { badInput } from "../errors.js";
import { type CommandName, camelCase, type OptionSpec, optionSpec, optionsOf } from "./table.js";
import { parseFlagDate, parseMebibytes } from "./values.js";

function specOf(command: CommandName, key: string): OptionSpec {
  const spec = optionSpec(command, key);
  if (!spec) throw new Error(`internal: ${command} has no option ${key}`);
  return spec;
}

/** A mebibytes option (--block-size-mb) in bytes, or undefined when it is not set. */
export function bytesOption(
  command: CommandName,
  key: string,
  value: string | number | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const spec = specOf(command, key);
  return parseMebibytes(String(value), `--${spec.flag}`, spec.max ?? Number.MAX_SAFE_INTEGER);
}

/** A date option (--include-after) as a Date, or undefined when it is not set. */
export function dateOption(
  command: CommandName,
  key: string,
  value: string | Date | undefined,
): Date | undefined {
  if (value === undefined || value instanceof Date) return value;
  return parseFlagDate(value, `--${specOf(command, key).flag}`);
}

/** A count option (--quota-gb): a whole number above 0, or undefined when it is not set. */
export function countOption(
  command: CommandName,
  key: string,
  value: string | number | undefined,
): number | undefined {
  if (value === undefined) return undefined;
  const count = Number(value);
  if (!(Number.isInteger(count) && count > 0)) {
    throw badInput(
      `--${specOf(command, key).flag} "${value}" is not a whole number above 0.`,
      "Pass a number such as 100.",
    );
  }
  return count;
}

/**
 * What a plan file keeps of a job's options: the table's options of the command that are set,
 * as JSON values (dates as ISO text), and nothing else (no callbacks, no secrets).
 */
export function planOptions(command: CommandName, options: Record<string, unknown>): Record<string, unknown> {
  const kept: Record<string, unknown> = {};
  for (const spec of optionsOf(command)) {
    if (spec.transient) continue;
    const key = camelCase(spec.flag);
    const value = options[key];
    if (value === undefined) continue;
    kept[key] = value instanceof Date ? value.toISOString() : value;
  }
  return kept;
}

/** --trailing-dot as the transport takes it (values were checked against the option's choices). */
export function trailingDotOption(value: string | undefined): "Enable" | "Disable" | undefined {
  if (value === undefined) return undefined;
  return value.toLowerCase() === "disable" ? "Disable" : "Enable";
}
