// A list that keeps its first entries in memory and writes the rest to a temporary file, so
// that holding a million entries until they are needed costs disk, not memory.
import { appendFileSync, createReadStream, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { createInterface } from "node:readline";

export class SpillList<T> {
  private readonly memory: T[] = [];
  private file: string | undefined;
  private pending: string[] = [];

  constructor(private readonly inMemory = 10_000) {}

  push(item: T): void {
    if (this.memory.length < this.inMemory) {
      this.memory.push(item);
      return;
    }
    this.pending.push(JSON.stringify(item));
    if (this.pending.length >= 1000) this.flush();
  }

  private flush(): void {
    if (this.pending.length === 0) return;
    this.file ??= join(mkdtempSync(join(tmpdir(), "azcp-spill-")), "entries.jsonl");
    appendFileSync(this.file, `${this.pending.join("\n")}\n`, { mode: 0o600 });
    this.pending = [];
  }

  /** Every entry in the order pushed; the temporary file is removed at the end. */
  async *drain(): AsyncGenerator<T> {
    yield* this.memory;
    this.flush();
    if (!this.file) return;
    const file = this.file;
    try {
      const lines = createInterface({ input: createReadStream(file), crlfDelay: Number.POSITIVE_INFINITY });
      for await (const line of lines) if (line) yield JSON.parse(line) as T;
    } finally {
      rmSync(join(file, ".."), { recursive: true, force: true });
      this.file = undefined;
    }
  }
}
