// Go's path.Match wildcards, which AzCopy uses for name patterns and for a wildcard at the end of
// a location: "*" (any run of characters but "/"), "?" (one), "[abc]", "[a-z]", "[^abc]" ("!" is
// not a negation), and "\\" to take the next character as it is.
import { badInput } from "../errors.js";

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\/]/g, "\\$&");
}

/** A character inside a class ("-" and "]" would mean something there). */
function escapeInClass(text: string): string {
  return text.replace(/[\]\\[^-]/g, "\\$&");
}

/**
 * A Go path.Match pattern as a regular expression over a whole name, or an error for a
 * malformed pattern (an unclosed or empty class, a dangling "\", an unescaped "-" or "]").
 */
export function wildcardRegExp(pattern: string): RegExp {
  const chars = Array.from(pattern);
  let source = "";
  const bad = () => new Error(`"${pattern}" is not a valid wildcard pattern`);
  const escaped = (at: number): [string, number] => {
    let char = chars[at];
    if (char === undefined || char === "-" || char === "]") throw bad();
    if (char === "\\") {
      char = chars[at + 1];
      if (char === undefined) throw bad();
      return [char, at + 2];
    }
    return [char, at + 1];
  };
  for (let at = 0; at < chars.length; ) {
    const char = chars[at]!;
    if (char === "*") {
      source += "[^/]*";
      at++;
    } else if (char === "?") {
      source += "[^/]";
      at++;
    } else if (char === "\\") {
      const next = chars[at + 1];
      if (next === undefined) throw bad();
      source += escapeRegExp(next);
      at += 2;
    } else if (char === "[") {
      at++;
      let negated = false;
      if (chars[at] === "^") {
        negated = true;
        at++;
      }
      let ranges = "";
      let count = 0;
      for (;;) {
        if (chars[at] === "]" && count > 0) {
          at++;
          break;
        }
        let low: string;
        [low, at] = escaped(at);
        let high = low;
        if (chars[at] === "-") {
          [high, at] = escaped(at + 1);
        }
        if ((low.codePointAt(0) ?? 0) > (high.codePointAt(0) ?? 0)) throw bad();
        ranges += low === high ? escapeInClass(low) : `${escapeInClass(low)}-${escapeInClass(high)}`;
        count++;
      }
      source += `[${negated ? "^" : ""}${ranges}]`;
    } else {
      source += escapeRegExp(char);
      at++;
    }
  }
  return new RegExp(`^${source}$`, "u");
}

/** A wildcard in the last segment of a location (it has a "*"), as a test on names; else undefined. */
export function wildcardTest(segment: string): ((name: string) => boolean) | undefined {
  if (!segment.includes("*")) return undefined;
  let regex: RegExp;
  try {
    regex = wildcardRegExp(segment);
  } catch {
    throw badInput(`"${segment}" is not a valid wildcard.`, "Use *, ?, [abc] or [a-z] in the last segment.");
  }
  return (name) => regex.test(name);
}
