// `azcp shards manifest`: a ready Kubernetes Indexed Job (or Azure Batch job) that runs one azcp
// command as N shards. Every pod runs the same command with --shard N and takes its index from
// JOB_COMPLETION_INDEX; a failure running again cannot mend (exit 3) fails its index at once.
import { badInput } from "../errors.js";

export type ManifestEngine = "kubernetes" | "batch";

export interface ManifestOptions {
  engine: ManifestEngine;
  shards: number;
  /** Pods at once (default: every shard). */
  parallelism?: number | undefined;
  name: string;
  image: string;
  /** The Kubernetes service account federated with an Entra ID identity (workload identity). */
  serviceAccount?: string | undefined;
  /** Runs of one index before it counts as failed. */
  backoffLimitPerIndex: number;
  /** The azcp command to shard, without "azcp": ["copy", source, destination, ...flags]. */
  command: string[];
  /** AZCOPY_BUFFER_GB for each pod, which sizes its memory request. */
  bufferGb?: number | undefined;
  /** Where each shard writes its report (--shard-report), inside the pod. */
  reportFolder?: string | undefined;
}

const SHARDED = new Set(["copy", "cp", "sync", "remove", "rm"]);
/** Flags the manifest sets itself, or that need a person at the pod. */
const REFUSED_FLAGS: Record<string, string> = {
  "--shard": "The manifest gives every pod its shard; leave --shard out.",
  "--shard-report": "Give the report folder with the manifest's own --report-folder.",
  "--overwrite=prompt": "A pod has no one to answer prompts; use --overwrite true, false or ifSourceNewer.",
  "--delete-destination=prompt":
    "A pod has no one to answer prompts; use --delete-destination true or false.",
};
/** Kubernetes' limit on an Indexed Job's completions and parallelism. */
const MAX_INDEXED = 100_000;
/** What azcp itself needs besides its data buffers, in MiB. */
const BASE_MEMORY_MIB = 256;
const CONTAINER = "azcp";
/** A shard's exit code when running it again cannot help (bad input, sign-in, a missing role). */
export const EXIT_CANNOT_HEAL = 3;

function check(options: ManifestOptions): void {
  const [verb] = options.command;
  if (!verb || !SHARDED.has(verb))
    throw badInput(
      `azcp shards manifest runs copy, sync or remove, not "${verb ?? ""}".`,
      "Give the command after the options: azcp shards manifest --shards 8 copy <source> <destination> --recursive",
    );
  if (options.command.some((arg) => /^https?:\/\/.*[?&]sig=/i.test(arg)))
    throw badInput(
      "A URL with a SAS would put its signature in the manifest, in plain text.",
      "Leave the SAS out and give --service-account: the pods sign in with workload identity (Batch: the pool's managed identity).",
    );
  const flags = normalizedFlags(options.command.slice(1));
  for (const flag of flags) {
    const reason = REFUSED_FLAGS[flag] ?? REFUSED_FLAGS[flag.split("=")[0]!];
    if (reason) throw badInput(`${flag.split("=")[0]} cannot go into a sharded job.`, reason);
  }
  if (!Number.isInteger(options.shards) || options.shards < 1 || options.shards > MAX_INDEXED)
    throw badInput(
      `--shards is ${options.shards}.`,
      `Use a whole number from 1 to ${MAX_INDEXED.toLocaleString("en-US")} (Kubernetes' limit for an Indexed Job).`,
    );
  const parallelism = options.parallelism ?? options.shards;
  if (!Number.isInteger(parallelism) || parallelism < 1 || parallelism > options.shards)
    throw badInput(
      `--parallelism is ${parallelism}.`,
      `Use a whole number from 1 to --shards (${options.shards}).`,
    );
  if (!Number.isInteger(options.backoffLimitPerIndex) || options.backoffLimitPerIndex < 0)
    throw badInput(
      `--backoff-limit-per-index is ${options.backoffLimitPerIndex}.`,
      "Use a whole number of retries, 0 or more.",
    );
  // Each pod's hostname is <name>-<index>, a DNS label of at most 63 characters, and the name is
  // a label value on every pod: the API server refuses longer ones the schema lets through.
  const longest = 63 - 1 - String(options.shards - 1).length;
  if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(options.name) || options.name.length > longest)
    throw badInput(
      `The job name "${options.name}" is not one Kubernetes takes for ${options.shards} indexed pods.`,
      `Use lower-case letters, digits and "-", starting and ending with a letter or digit, at most ${longest} characters.`,
    );
  if (
    options.serviceAccount !== undefined &&
    !/^[a-z0-9]([-a-z0-9.]*[a-z0-9])?$/.test(options.serviceAccount)
  )
    throw badInput(
      `The service account "${options.serviceAccount}" is not a valid Kubernetes name.`,
      "Use the name of the service account federated with your Entra ID identity.",
    );
}

/** Flags as --name=value, so that "--overwrite prompt" and "--overwrite=prompt" look alike. */
function normalizedFlags(args: string[]): string[] {
  const flags: string[] = [];
  for (let index = 0; index < args.length; index++) {
    const arg = args[index]!;
    if (!arg.startsWith("--")) continue;
    const next = args[index + 1];
    flags.push(arg.includes("=") || next === undefined || next.startsWith("--") ? arg : `${arg}=${next}`);
  }
  return flags;
}

function memoryRequest(bufferGb: number | undefined): string {
  const buffers = Math.ceil((bufferGb ?? 0.0625) * 1024);
  return `${BASE_MEMORY_MIB + Math.ceil(buffers * 1.5)}Mi`;
}

function shardedArgs(options: ManifestOptions): string[] {
  return [
    ...options.command,
    "--shard",
    String(options.shards),
    ...(options.reportFolder ? ["--shard-report", options.reportFolder] : []),
  ];
}

function environment(options: ManifestOptions): { name: string; value: string }[] {
  return [
    ...(options.serviceAccount ? [{ name: "AZCOPY_AUTO_LOGIN_TYPE", value: "WORKLOAD" }] : []),
    ...(options.bufferGb !== undefined
      ? [{ name: "AZCOPY_BUFFER_GB", value: String(options.bufferGb) }]
      : []),
  ];
}

export function kubernetesJob(options: ManifestOptions): Record<string, unknown> {
  check(options);
  const memory = memoryRequest(options.bufferGb);
  return {
    apiVersion: "batch/v1",
    kind: "Job",
    metadata: { name: options.name, labels: { "app.kubernetes.io/name": "azcp" } },
    spec: {
      completionMode: "Indexed",
      completions: options.shards,
      parallelism: options.parallelism ?? options.shards,
      backoffLimitPerIndex: options.backoffLimitPerIndex,
      podFailurePolicy: {
        rules: [
          // Bad input, a failed sign-in or a missing role: running again cannot help.
          {
            action: "FailIndex",
            onExitCodes: { containerName: CONTAINER, operator: "In", values: [EXIT_CANNOT_HEAL] },
          },
          // A node drained or a pod preempted is not the shard's failure: run it again.
          { action: "Ignore", onPodConditions: [{ type: "DisruptionTarget", status: "True" }] },
        ],
      },
      template: {
        metadata: {
          labels: {
            "app.kubernetes.io/name": "azcp",
            ...(options.serviceAccount ? { "azure.workload.identity/use": "true" } : {}),
          },
        },
        spec: {
          restartPolicy: "Never",
          ...(options.serviceAccount ? { serviceAccountName: options.serviceAccount } : {}),
          containers: [
            {
              name: CONTAINER,
              image: options.image,
              command: ["azcp"],
              args: shardedArgs(options),
              env: environment(options),
              resources: {
                requests: { cpu: "2", memory },
                limits: { memory },
              },
            },
          ],
        },
      },
    },
  };
}

/** A POSIX shell word. */
function shellWord(text: string): string {
  return /^[\w@%+=:,./-]+$/.test(text) ? text : `'${text.replace(/'/g, "'\\''")}'`;
}

/**
 * An Azure Batch job and one task per shard (the pool's managed identity signs in). Batch has no
 * JOB_COMPLETION_INDEX: each task's command line carries its index.
 */
export function batchJob(options: ManifestOptions): Record<string, unknown> {
  check(options);
  const report = options.reportFolder ? ["--shard-report", options.reportFolder] : [];
  return {
    job: { id: options.name, onAllTasksComplete: "terminatejob", poolInfo: { poolId: "<your pool>" } },
    tasks: Array.from({ length: options.shards }, (_, index) => {
      const args = ["azcp", ...options.command, "--shard", `${index}/${options.shards}`, ...report];
      return {
        id: `${options.name}-${index}`,
        commandLine: `/bin/sh -c ${shellWord(args.map(shellWord).join(" "))}`,
        environmentSettings: [
          { name: "AZCOPY_AUTO_LOGIN_TYPE", value: "MSI" },
          ...environment({ ...options, serviceAccount: undefined }),
        ],
        constraints: { maxTaskRetryCount: options.backoffLimitPerIndex },
      };
    }),
  };
}
