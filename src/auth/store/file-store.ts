// The login in a file only its owner can read: mode 0600 in a 0700 folder under the XDG config
// home, written atomically, and refused when its permissions have been loosened.
import { randomBytes } from "node:crypto";
import { constants } from "node:fs";
import { lstat, mkdir, open, rename, rm, stat } from "node:fs/promises";
import { join } from "node:path";
import { AzcpError } from "../../errors.js";
import type { LoginStoreBackend } from "./backend.js";

export class FileStore implements LoginStoreBackend {
  readonly name = "file" as const;
  readonly path: string;

  constructor(readonly directory: string) {
    this.path = join(directory, "login.json");
  }

  describe(): string {
    return `the file ${this.path} (readable only by you)`;
  }

  async available(): Promise<boolean> {
    return true;
  }

  private async checkDirectory(): Promise<boolean> {
    const info = await stat(this.directory).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (!info) return false;
    checkPrivate(this.directory, info, 0o700, "directory");
    return true;
  }

  async read(): Promise<string | undefined> {
    if (!(await this.checkDirectory())) return undefined;
    const info = await lstat(this.path).catch((error: NodeJS.ErrnoException) => {
      if (error.code === "ENOENT") return undefined;
      throw error;
    });
    if (!info) return undefined;
    if (!info.isFile()) {
      throw new AzcpError(
        "bad-input",
        `azcp will not read its login from ${this.path}: it is not a regular file.`,
        {
          remedy: `Remove it (rm ${this.path}) and run azcp login again.`,
        },
      );
    }
    checkPrivate(this.path, info, 0o600, "file");
    const handle = await open(this.path, constants.O_RDONLY | constants.O_NOFOLLOW);
    try {
      return await handle.readFile("utf8");
    } finally {
      await handle.close();
    }
  }

  async write(data: string): Promise<void> {
    await mkdir(this.directory, { recursive: true, mode: 0o700 });
    await this.checkDirectory();
    const temporary = join(this.directory, `.login.${randomBytes(6).toString("hex")}.tmp`);
    const handle = await open(temporary, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
    try {
      await handle.writeFile(data, "utf8");
      await handle.sync();
    } finally {
      await handle.close();
    }
    try {
      await rename(temporary, this.path);
    } catch (error) {
      await rm(temporary, { force: true });
      throw error;
    }
    const directory = await open(this.directory, constants.O_RDONLY);
    await directory.sync().finally(() => directory.close());
  }

  async remove(): Promise<boolean> {
    const existed = await lstat(this.path).then(
      () => true,
      () => false,
    );
    await rm(this.path, { force: true });
    return existed;
  }
}

function checkPrivate(
  path: string,
  info: { mode: number; uid: number },
  expected: number,
  kind: "file" | "directory",
): void {
  const uid = process.getuid?.();
  if (uid !== undefined && info.uid !== uid) {
    throw new AzcpError(
      "bad-input",
      `azcp will not use its login ${kind} ${path}: it belongs to another user (uid ${info.uid}).`,
      {
        remedy: `Remove it, or run azcp as its owner, and run azcp login again.`,
      },
    );
  }
  const mode = info.mode & 0o777;
  if ((mode & 0o077) !== 0) {
    throw new AzcpError(
      "bad-input",
      `azcp will not use its login ${kind} ${path}: its permissions (${mode.toString(8).padStart(4, "0")}) let other users read it.`,
      { remedy: `Run: chmod ${expected.toString(8)} ${path}` },
    );
  }
}
