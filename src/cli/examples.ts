// Examples shown at the end of each command's help, as AzCopy's help mostly is. A unit test
// checks that every flag they use is one the command takes, so they cannot go stale.
import type { Command } from "commander";

export const EXAMPLES: Record<string, readonly (readonly [string, string])[]> = {
  copy: [
    [
      "Upload a directory (signed in, or with a SAS on the URL)",
      'azcp copy "./photos" "https://acct.blob.core.windows.net/backup" --recursive',
    ],
    [
      "Upload only .jpg files, keeping them out of a subfolder",
      'azcp copy "./photos/*" "https://acct.blob.core.windows.net/backup" --include-pattern "*.jpg" --exclude-path "raw"',
    ],
    [
      "Download a virtual directory",
      'azcp copy "https://acct.blob.core.windows.net/backup/2024" "./restore" --recursive',
    ],
    [
      "Copy between accounts (done by the service)",
      'azcp copy "https://a.blob.core.windows.net/c?<SAS>" "https://b.blob.core.windows.net/c?<SAS>" --recursive',
    ],
    [
      "Upload to a file share keeping SMB times and attributes",
      'azcp copy "./docs" "https://acct.file.core.windows.net/share?<SAS>" --recursive --preserve-info',
    ],
    [
      "Stream a backup from standard input",
      'tar c ./data | azcp copy "https://acct.blob.core.windows.net/c/data.tar" --from-to PipeBlob',
    ],
    [
      "See what would be copied",
      'azcp copy "./photos" "https://acct.blob.core.windows.net/backup" --recursive --dry-run',
    ],
  ],
  sync: [
    [
      "Make a container match a directory, deleting what the directory lacks",
      'azcp sync "./site" "https://acct.blob.core.windows.net/$web" --delete-destination true',
    ],
    [
      "Compare by MD5 instead of time",
      'azcp sync "./site" "https://acct.blob.core.windows.net/$web" --compare-hash MD5',
    ],
    [
      "Download only what changed",
      'azcp sync "https://acct.blob.core.windows.net/logs" "./logs" --include-pattern "*.log"',
    ],
  ],
  list: [
    [
      "List a container with sizes in bytes and a total",
      'azcp list "https://acct.blob.core.windows.net/c" --machine-readable --running-tally',
    ],
    [
      "Show chosen properties",
      'azcp list "https://acct.blob.core.windows.net/c" --properties "LastModifiedTime;BlobType;ContentType"',
    ],
  ],
  remove: [
    ["Delete a virtual directory", 'azcp remove "https://acct.blob.core.windows.net/c/old" --recursive'],
    [
      "Delete only .tmp files, after seeing which",
      'azcp remove "https://acct.blob.core.windows.net/c" --recursive --include-pattern "*.tmp" --dry-run',
    ],
  ],
  "set-properties": [
    [
      "Move blobs to the Cool tier",
      'azcp set-properties "https://acct.blob.core.windows.net/c/archive" --recursive --block-blob-tier Cool',
    ],
    [
      "Replace a blob's metadata",
      'azcp set-properties "https://acct.blob.core.windows.net/c/a.txt" --metadata "owner=ops;team=storage"',
    ],
  ],
  make: [
    ["Create a container", 'azcp make "https://acct.blob.core.windows.net/new"'],
    ["Create a 100 GB file share", 'azcp make "https://acct.file.core.windows.net/share" --quota-gb 100'],
  ],
  bench: [
    [
      "Upload 100 files of 250 MiB and report the speed",
      'azcp bench "https://acct.blob.core.windows.net/c?<SAS>"',
    ],
    [
      "Many small files, spread over folders",
      'azcp bench "https://acct.blob.core.windows.net/c" --file-count 5000 --size-per-file 16K --number-of-folders 50',
    ],
    [
      "Download speed, nothing written locally",
      'azcp bench "https://acct.blob.core.windows.net/c" --mode Download',
    ],
  ],
};

export function addExamples(command: Command, name: string): void {
  const examples = EXAMPLES[name];
  if (!examples) return;
  command.addHelpText(
    "after",
    `\nExamples:\n${examples.map(([what, line]) => `  ${what}:\n    ${line}\n`).join("\n")}`,
  );
}
