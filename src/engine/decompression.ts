// --decompress: which downloads are decompressed, by their Content-Encoding as AzCopy decides.
// AzCopy 10.32's help says a .gz/.gzip/.zz extension is dropped, but the files it writes keep
// their names; azcp keeps them too, so scripts find the same files.
import { AzcpError } from "../errors.js";

export type Compression = "gzip" | "deflate";

/** The compression a Content-Encoding names; undefined for none; an error for one azcp cannot undo. */
export function compressionOf(contentEncoding: string | undefined): Compression | undefined {
  const encoding = (contentEncoding ?? "").trim().toLowerCase();
  if (encoding === "") return undefined;
  if (encoding === "gzip" || encoding === "deflate") return encoding;
  throw new AzcpError(
    "bad-input",
    `encoding type '${contentEncoding}' is not recognised as a supported encoding type for auto-decompression.`,
    {
      remedy:
        "Download it without --decompress to keep the stored bytes (gzip and deflate are decompressed).",
    },
  );
}
