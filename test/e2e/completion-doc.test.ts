// azcp completion and azcp doc, made from the program itself as AzCopy's are.
import { readdir, readFile, writeFile } from "node:fs/promises";
import { join } from "node:path";
import { describe, expect, it } from "vitest";
import { runAzcp, runProcess, testHome } from "../support/harness.js";

describe.concurrent("completion and doc", () => {
  it("completes commands and each command's flags in bash, and prints zsh, fish and PowerShell scripts", async () => {
    const home = await testHome();
    const script = await runAzcp(["completion", "bash"], home);
    expect(script.code).toBe(0);
    const file = join(home, "azcp.bash");
    await writeFile(file, script.stdout);
    const complete = async (...words: string[]) => {
      const result = await runProcess(
        "bash",
        [
          "-c",
          `source '${file}'; COMP_WORDS=(${words.map((word) => `'${word}'`).join(" ")}); COMP_CWORD=${words.length - 1}; _azcp; echo "\${COMPREPLY[@]}"`,
        ],
        home,
      );
      return result.stdout.trim().split(" ");
    };
    expect(await complete("azcp", "sy")).toEqual(["sync"]);
    expect(await complete("azcp", "copy", "--block-s")).toEqual(["--block-size-mb"]);
    expect(await complete("azcp", "jobs", "res")).toEqual(["resume"]);
    for (const shell of ["zsh", "fish", "powershell"]) {
      const other = await runAzcp(["completion", shell], home);
      expect(other.code, shell).toBe(0);
      expect(other.stdout, shell).toContain("set-properties");
    }
  });

  it("writes one Markdown page per command, with its flags", async () => {
    const home = await testHome();
    const folder = join(home, "doc");
    const result = await runAzcp(["doc", "--output-location", folder], home);
    expect(result.code, result.all).toBe(0);
    const pages = await readdir(folder);
    for (const page of [
      "azcp.md",
      "azcp_copy.md",
      "azcp_sync.md",
      "azcp_jobs_resume.md",
      "azcp_login_status.md",
    ])
      expect(pages).toContain(page);
    const copy = await readFile(join(folder, "azcp_copy.md"), "utf8");
    expect(copy).toMatch(/^## azcp copy/);
    expect(copy).toContain("--block-size-mb <MiB>");
  });

  it("writes GitHub Wiki pages with the flags in tables with --format wiki, as AzCopy's doc does", async () => {
    const home = await testHome();
    const folder = join(home, "wiki");
    const result = await runAzcp(["doc", "--format", "wiki", "--output-location", folder], home);
    expect(result.code, result.all).toBe(0);
    const copy = await readFile(join(folder, "azcp_copy.md"), "utf8");
    expect(copy).toMatch(/^# azcp copy\n/);
    expect(copy).toMatch(/^\| `--overwrite` \| <mode> \| `true` \| .+ \|$/m);
    expect(copy).toContain("**Parent command:** [azcp](azcp)");
    const jobs = await readFile(join(folder, "azcp_jobs.md"), "utf8");
    expect(jobs).toContain("| [azcp jobs resume](azcp_jobs_resume) |");
    // As AzCopy's: any other format gives the default pages.
    const other = await runAzcp(["doc", "--format", "html", "--output-location", join(home, "other")], home);
    expect(other.code, other.all).toBe(0);
    expect(await readFile(join(home, "other", "azcp_copy.md"), "utf8")).toMatch(/^## azcp copy/);
  });
});
