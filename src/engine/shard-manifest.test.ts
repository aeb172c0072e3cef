import { Job } from "kubernetes-models/batch/v1/Job";
import { describe, expect, it } from "vitest";
import type { AzcpError } from "../errors.js";
import { batchJob, kubernetesJob, type ManifestOptions } from "./shard-manifest.js";

const BASE: ManifestOptions = {
  engine: "kubernetes",
  shards: 8,
  name: "copy-photos",
  image: "registry.example/azcp:0.1.0",
  backoffLimitPerIndex: 3,
  command: [
    "copy",
    "https://src.blob.core.windows.net/photos",
    "https://dst.blob.core.windows.net/photos",
    "--recursive",
  ],
};

/** Validated against the Kubernetes API schema (batch/v1 Job); throws on a field the API refuses. */
function validJob(options: ManifestOptions) {
  const manifest = kubernetesJob(options) as ConstructorParameters<typeof Job>[0] & Record<string, never>;
  new Job(manifest).validate();
  return manifest as unknown as {
    spec: {
      completions: number;
      parallelism: number;
      completionMode: string;
      backoffLimitPerIndex: number;
      podFailurePolicy: { rules: { action: string; onExitCodes?: { values: number[] } }[] };
      template: {
        metadata: { labels: Record<string, string> };
        spec: {
          restartPolicy: string;
          serviceAccountName?: string;
          containers: {
            command: string[];
            args: string[];
            env: { name: string; value: string }[];
            resources: { requests: { memory: string } };
          }[];
        };
      };
    };
  };
}

describe("azcp shards manifest (Kubernetes Indexed Job)", () => {
  it("is a Job the API schema accepts, for several option sets", () => {
    const cases: Partial<ManifestOptions>[] = [
      {},
      { serviceAccount: "azcp-writer", reportFolder: "/reports" },
      { shards: 1, parallelism: 1, backoffLimitPerIndex: 0 },
      { shards: 100_000, parallelism: 50, name: "a".repeat(57), bufferGb: 2 },
      {
        command: ["sync", "/data", "https://dst.blob.core.windows.net/c", "--delete-destination", "true"],
      },
      { command: ["remove", "https://dst.blob.core.windows.net/c/old", "--recursive"] },
    ];
    for (const overrides of cases) {
      const options = { ...BASE, ...overrides };
      const { spec } = validJob(options);
      expect(spec.completionMode).toBe("Indexed");
      expect(spec.completions).toBe(options.shards);
      expect(spec.parallelism).toBe(options.parallelism ?? options.shards);
      expect(spec.backoffLimitPerIndex).toBe(options.backoffLimitPerIndex);
      expect(spec.template.spec.restartPolicy).toBe("Never");
      const [container] = spec.template.spec.containers;
      expect(container!.command).toEqual(["azcp"]);
      // Each pod takes its index from JOB_COMPLETION_INDEX: the count alone goes on the line.
      expect(container!.args.slice(options.command.length)).toEqual([
        "--shard",
        String(options.shards),
        ...(options.reportFolder ? ["--shard-report", options.reportFolder] : []),
      ]);
      // An index fails at once on exit 3 (bad input, sign-in, a missing role); disruptions are not failures.
      expect(spec.podFailurePolicy.rules.map((rule) => rule.action)).toEqual(["FailIndex", "Ignore"]);
      expect(spec.podFailurePolicy.rules[0]!.onExitCodes!.values).toEqual([3]);
      if (options.serviceAccount) {
        expect(spec.template.spec.serviceAccountName).toBe(options.serviceAccount);
        expect(spec.template.metadata.labels["azure.workload.identity/use"]).toBe("true");
        expect(container!.env).toContainEqual({ name: "AZCOPY_AUTO_LOGIN_TYPE", value: "WORKLOAD" });
      }
    }
  });

  it("sizes each pod's memory from AZCOPY_BUFFER_GB", () => {
    const memory = (bufferGb?: number) =>
      validJob({ ...BASE, bufferGb }).spec.template.spec.containers[0]!.resources.requests.memory;
    expect(memory()).toBe("352Mi");
    expect(memory(1)).toBe(`${256 + 1536}Mi`);
  });

  it("refuses what the schema takes but the API server or a pod would not", () => {
    const refused: [Partial<ManifestOptions>, RegExp][] = [
      // The pods' hostnames are <name>-<index>, DNS labels of 63 characters at most.
      [{ name: "a".repeat(60), shards: 1000 }, /at most 59 characters/],
      [{ name: "Copy_Photos" }, /not one Kubernetes takes/],
      [{ shards: 100_001 }, /Kubernetes' limit for an Indexed Job/],
      [{ parallelism: 9 }, /from 1 to --shards \(8\)/],
      [{ command: ["list", "https://src.blob.core.windows.net/c"] }, /runs copy, sync or remove/],
      [{ command: [...BASE.command, "--overwrite", "prompt"] }, /no one to answer prompts/],
      [{ command: [...BASE.command, "--shard", "1/2"] }, /gives every pod its shard/],
      [
        { command: ["copy", "https://src.blob.core.windows.net/c?sv=2025&sig=abc", "/data"] },
        /signature in the manifest/,
      ],
      [{ serviceAccount: "Not_Valid" }, /not a valid Kubernetes name/],
    ];
    for (const [overrides, message] of refused) {
      // The cause and the fix, as the user reads them.
      let said = "";
      try {
        kubernetesJob({ ...BASE, ...overrides });
      } catch (error) {
        said = (error as AzcpError).describe();
      }
      expect(said, JSON.stringify(overrides)).toMatch(message);
    }
  });
});

describe("azcp shards manifest --engine batch", () => {
  it("gives each task its own index, quoted for the shell", () => {
    const { tasks } = batchJob({
      ...BASE,
      shards: 3,
      command: ["copy", "/data/it's here", "https://dst.blob.core.windows.net/c"],
    }) as {
      tasks: { id: string; commandLine: string; constraints: { maxTaskRetryCount: number } }[];
    };
    expect(tasks.map((task) => task.id)).toEqual(["copy-photos-0", "copy-photos-1", "copy-photos-2"]);
    expect(tasks[2]!.commandLine).toBe(
      `/bin/sh -c 'azcp copy '\\''/data/it'\\''\\'\\'''\\''s here'\\'' https://dst.blob.core.windows.net/c --shard 2/3'`,
    );
    expect(tasks[0]!.constraints.maxTaskRetryCount).toBe(3);
  });
});
