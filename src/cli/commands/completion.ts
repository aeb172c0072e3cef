// azcp completion <shell> and azcp doc: shell completion scripts and a Markdown page per command,
// both made from the program itself (its commands and their flags), as AzCopy's are.
import { mkdir, writeFile } from "node:fs/promises";
import { join, resolve } from "node:path";
import type { Command, Option } from "commander";
import { addFlags } from "../flags.js";
import { runCommand } from "../run.js";

/** Every command with its path from the root ("jobs resume"), depth first. */
function commandsOf(root: Command): { path: string[]; command: Command }[] {
  const walk = (command: Command, path: string[]): { path: string[]; command: Command }[] =>
    command.commands.flatMap((child) => [
      { path: [...path, child.name()], command: child },
      ...walk(child, [...path, child.name()]),
    ]);
  return walk(root, []);
}

const visible = (command: Command) =>
  command.options.filter((option: Option) => !option.hidden && option.long).map((option) => option.long!);

function bash(root: Command): string {
  const cases = commandsOf(root)
    .map(({ path, command }) => {
      const words = [...command.commands.map((child) => child.name()), ...visible(command), ...visible(root)];
      return `    "${path.join(" ")}") words="${words.join(" ")}" ;;`;
    })
    .join("\n");
  const top = root.commands.map((command) => command.name()).join(" ");
  return `# bash completion for azcp: source <(azcp completion bash)
_azcp() {
  local current="\${COMP_WORDS[COMP_CWORD]}" path="" word words
  for word in "\${COMP_WORDS[@]:1:COMP_CWORD-1}"; do
    case "$word" in -*) ;; *) [ -z "$path" ] && path="$word" || path="$path $word" ;; esac
  done
  case "$path" in
    "") words="${top} ${visible(root).join(" ")}" ;;
${cases}
    *) words="" ;;
  esac
  COMPREPLY=( $(compgen -W "$words" -- "$current") )
}
complete -o default -F _azcp azcp
`;
}

function zsh(root: Command): string {
  return `#compdef azcp
# zsh completion for azcp: source <(azcp completion zsh)
autoload -U +X bashcompinit && bashcompinit
${bash(root)}`;
}

function fish(root: Command): string {
  const lines = root.commands.map(
    (command) =>
      `complete -c azcp -n "__fish_use_subcommand" -a ${command.name()} -d ${JSON.stringify(command.summary() || command.description())}`,
  );
  for (const { path, command } of commandsOf(root)) {
    for (const option of command.options.filter((candidate: Option) => !candidate.hidden && candidate.long)) {
      lines.push(
        `complete -c azcp -n "__fish_seen_subcommand_from ${path.at(-1)}" -l ${option.long!.slice(2)} -d ${JSON.stringify(option.description)}`,
      );
    }
  }
  return `# fish completion for azcp: azcp completion fish | source\n${lines.join("\n")}\n`;
}

function powershell(root: Command): string {
  const table = commandsOf(root)
    .map(({ path, command }) => {
      const words = [...command.commands.map((child) => child.name()), ...visible(command)];
      return `  '${path.join(" ")}' = @(${words.map((word) => `'${word}'`).join(", ")})`;
    })
    .join("\n");
  return `# PowerShell completion for azcp: azcp completion powershell | Out-String | Invoke-Expression
$azcpWords = @{
  '' = @(${root.commands.map((command) => `'${command.name()}'`).join(", ")})
${table}
}
Register-ArgumentCompleter -Native -CommandName azcp -ScriptBlock {
  param($wordToComplete, $commandAst, $cursorPosition)
  $path = ($commandAst.CommandElements | Select-Object -Skip 1 | Where-Object { $_.ToString() -notlike '-*' -and $_.ToString() -ne $wordToComplete } | ForEach-Object { $_.ToString() }) -join ' '
  $azcpWords[$path] | Where-Object { $_ -like "$wordToComplete*" } | ForEach-Object { [System.Management.Automation.CompletionResult]::new($_, $_, 'ParameterValue', $_) }
}
`;
}

const SHELLS = { bash, zsh, fish, powershell } as const;

export function registerCompletion(program: Command): void {
  const completion = program
    .command("completion")
    .summary("Print a shell completion script (bash, zsh, fish, powershell)")
    .description("Print the script that makes a shell complete azcp's commands and flags.");
  for (const [shell, make] of Object.entries(SHELLS)) {
    completion
      .command(shell)
      .description(`Print the completion script for ${shell}.`)
      .action(async (_flags: unknown, self: Command) =>
        runCommand(self, async () => {
          process.stdout.write(make(program));
          return 0;
        }),
      );
  }
}

/** One Markdown page: what the command does, how to call it, its flags, its subcommands. */
function page(path: string[], command: Command, root: Command): string {
  const name = ["azcp", ...path].join(" ");
  const subcommands = command.commands.map(
    (child) => `- [${name} ${child.name()}](${["azcp", ...path, child.name()].join("_")}.md)`,
  );
  return [
    `## ${name}`,
    "",
    command.summary() || command.description(),
    "",
    "### Synopsis",
    "",
    command.description(),
    "",
    "```",
    `${name} ${command.usage()}`,
    "```",
    "",
    "### Options",
    "",
    "```",
    ...command.options
      .filter((option) => !option.hidden)
      .map((option) => `  ${option.flags.padEnd(34)} ${option.description}`),
    "```",
    "",
    "### Options inherited from parent commands",
    "",
    "```",
    ...root.options
      .filter((option) => !option.hidden)
      .map((option) => `  ${option.flags.padEnd(34)} ${option.description}`),
    "```",
    ...(subcommands.length ? ["", "### Commands", "", ...subcommands] : []),
    "",
  ].join("\n");
}

function cell(text: string): string {
  return text.replace(/\s+/g, " ").replace(/\|/g, "\\|").trim();
}

function flagTable(options: readonly Option[]): string[] {
  return [
    "| Flag | Value | Default | Description |",
    "|------|-------|---------|-------------|",
    ...options
      .filter((option) => !option.hidden && option.long)
      .map((option) => {
        const names = [option.short, option.long].filter(Boolean).map((name) => `\`${name}\``);
        const value = option.flags.match(/[<[][^>\]]*[>\]]/)?.[0] ?? "switch";
        const fallback = option.defaultValue === undefined ? "" : `\`${String(option.defaultValue)}\``;
        return `| ${names.join(", ")} | ${cell(value)} | ${fallback} | ${cell(option.description)} |`;
      }),
  ];
}

/** AzCopy's `doc --format wiki`: the same pages with the flags as tables, linked to each other. */
function wikiPage(path: string[], command: Command, root: Command): string {
  const name = ["azcp", ...path].join(" ");
  const link = (words: string[]) => ["azcp", ...words].join("_");
  return [
    `# ${name}`,
    "",
    command.summary() || command.description(),
    "",
    "## Synopsis",
    "",
    command.description(),
    "",
    "## Usage",
    "",
    "```bash",
    `${name} ${command.usage()}`,
    "```",
    "",
    "## Options",
    "",
    ...flagTable(command.options),
    "",
    "## Global Options",
    "",
    ...flagTable(root.options),
    ...(command.commands.length
      ? [
          "",
          "## Subcommands",
          "",
          "| Command | Description |",
          "|---------|-------------|",
          ...command.commands.map(
            (child) =>
              `| [${name} ${child.name()}](${link([...path, child.name()])}) | ${cell(child.summary() || child.description())} |`,
          ),
        ]
      : []),
    ...(path.length
      ? [
          "",
          "---",
          "",
          `**Parent command:** [${["azcp", ...path.slice(0, -1)].join(" ")}](${link(path.slice(0, -1))})`,
        ]
      : []),
    "",
  ].join("\n");
}

export function registerDoc(program: Command): void {
  const doc = program
    .command("doc")
    .summary("Write a Markdown page for every command")
    .description("Write the reference documentation of azcp as one Markdown file per command.");
  addFlags(doc, [
    {
      name: "output-location",
      value: "<folder>",
      help: "Where the Markdown files go.",
      defaultValue: "./doc",
    },
    {
      name: "format",
      value: "<format>",
      help: "wiki (GitHub Wiki pages with the flags in tables); anything else gives the default pages, as with AzCopy.",
      defaultValue: "default",
    },
  ]).action(async (flags: { outputLocation: string; format: string }, self: Command) =>
    runCommand(self, async ({ output }) => {
      const folder = resolve(flags.outputLocation);
      const render = flags.format.toLowerCase() === "wiki" ? wikiPage : page;
      await mkdir(folder, { recursive: true });
      const pages = [{ path: [] as string[], command: program }, ...commandsOf(program)];
      for (const { path, command } of pages)
        await writeFile(join(folder, `${["azcp", ...path].join("_")}.md`), render(path, command, program));
      output.result(`Wrote ${pages.length} pages to ${folder}.`);
      return 0;
    }),
  );
}
