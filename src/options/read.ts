// Option values read by the table: a flag's kind decides its parser, and its entry gives the name
// errors use and the limits, so no caller repeats them.
import { createHash } from "node:crypto";
import { badInput } from "../errors.js";
import { type Environment, readSetting } from "../settings.js";
import type { CustomerKey } from "../storage/registry.js";
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

/**
 * --cpk-by-name and --cpk-by-value as the transport takes them. The key itself comes from the
 * environment (CPK_ENCRYPTION_KEY, CPK_ENCRYPTION_KEY_SHA256), as AzCopy reads it, never a flag.
 */
export function customerKeyOption(
  byName: string | undefined,
  byValue: boolean | undefined,
  env: Environment,
): CustomerKey | undefined {
  if (!byName && !byValue) return undefined;
  if (byName && byValue)
    throw badInput(
      "--cpk-by-name and --cpk-by-value are two ways to give one encryption.",
      "Use one of them.",
    );
  if (byName) return { scope: byName };
  const key = readSetting("CPK_ENCRYPTION_KEY", env);
  if (!key)
    throw badInput(
      "--cpk-by-value needs the key in CPK_ENCRYPTION_KEY (base64, 32 bytes).",
      "Set CPK_ENCRYPTION_KEY (and CPK_ENCRYPTION_KEY_SHA256), or leave the flag out.",
    );
  const bytes = Buffer.from(key, "base64");
  if (bytes.length !== 32)
    throw badInput(
      "CPK_ENCRYPTION_KEY is not a base64 AES-256 key (32 bytes).",
      "Set it to 32 random bytes in base64, such as the output of: openssl rand -base64 32",
    );
  const computed = createHash("sha256").update(bytes).digest("base64");
  const given = readSetting("CPK_ENCRYPTION_KEY_SHA256", env);
  if (given && given !== computed)
    throw badInput(
      "CPK_ENCRYPTION_KEY_SHA256 is not the SHA-256 of CPK_ENCRYPTION_KEY.",
      "Fix or unset CPK_ENCRYPTION_KEY_SHA256 (azcp computes it when it is absent).",
    );
  return { key: { key, sha256: computed } };
}
