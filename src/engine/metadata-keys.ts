// --s2s-handle-invalid-metadata: metadata from another service (S3, GCS) may have keys Azure
// refuses; AzCopy's rule is a C# identifier ([A-Za-z_][0-9A-Za-z_]*). Keys that break it are
// left out, fail the transfer, or are renamed to rename_<key> with rename_key_<key> holding the
// original name.
import { AzcpError } from "../errors.js";

export type InvalidMetadataHandling = "ExcludeIfInvalid" | "FailIfInvalid" | "RenameIfInvalid";

const VALID_KEY = /^[A-Za-z_][0-9A-Za-z_]*$/;

/**
 * The metadata a destination can take, by `handling`; `onExcluded` hears the keys left out.
 * Throws for FailIfInvalid, and for a rename that would collide with another key.
 */
export function acceptableMetadata(
  metadata: Record<string, string>,
  handling: InvalidMetadataHandling,
  onExcluded: (keys: string[]) => void = () => undefined,
): Record<string, string> {
  const invalid = Object.keys(metadata).filter((key) => !VALID_KEY.test(key));
  if (invalid.length === 0) return metadata;
  const valid = Object.fromEntries(Object.entries(metadata).filter(([key]) => VALID_KEY.test(key)));
  switch (handling) {
    case "ExcludeIfInvalid":
      onExcluded(invalid);
      return valid;
    case "FailIfInvalid":
      throw new AzcpError(
        "bad-input",
        `metadata with keys '${invalid.join(", ")}'  in source is invalid, and application parameters specify that error should be reported when invalid keys are found.`,
        {
          remedy:
            "Rename the keys at the source, or copy with --s2s-handle-invalid-metadata RenameIfInvalid or ExcludeIfInvalid.",
        },
      );
    case "RenameIfInvalid": {
      const renamed = { ...valid };
      for (const key of invalid) {
        const safe = Array.from(key, (character) => (/[0-9A-Za-z_]/.test(character) ? character : "_")).join(
          "",
        );
        const [valueKey, nameKey] = [`rename_${safe}`, `rename_key_${safe}`];
        if (valueKey in renamed || nameKey in renamed)
          throw new AzcpError("bad-input", `failed to rename invalid metadata key "${key}".`, {
            remedy: "Two keys become the same name when renamed; rename one at the source.",
          });
        renamed[valueKey] = metadata[key]!;
        renamed[nameKey] = key;
      }
      return renamed;
    }
  }
}
