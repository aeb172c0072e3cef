// In-memory trees for the two services with real directories. Azure Files names are
// case-insensitive and case-preserving (SMB semantics); Data Lake names are case-sensitive.

export interface DirNode<F, D> {
  kind: "dir";
  name: string;
  props: D;
  children: Map<string, TreeNode<F, D>>;
}

export interface FileNode<F> {
  kind: "file";
  name: string;
  props: F;
}

export type TreeNode<F, D> = DirNode<F, D> | FileNode<F>;

/** Where a path lands: its parent directory (if the chain up to it exists) and the node itself. */
export interface Lookup<F, D> {
  /** Existing directories from the root down, as far as the path's parents exist. */
  ancestors: DirNode<F, D>[];
  /** The parent directory, when every parent exists and is a directory. */
  parent: DirNode<F, D> | undefined;
  node: TreeNode<F, D> | undefined;
  /** A parent segment names a file. */
  parentIsFile: boolean;
}

/** UTF-8 byte order, which is Unicode code point order: the order the services list names in. */
export function compareNames(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a), Buffer.from(b));
}

export function splitPath(path: string): string[] {
  return path === "" ? [] : path.split("/");
}

export class Tree<F, D> {
  readonly root: DirNode<F, D>;

  constructor(
    rootProps: D,
    private readonly foldCase: boolean,
  ) {
    this.root = { kind: "dir", name: "", props: rootProps, children: new Map() };
  }

  private key(name: string): string {
    return this.foldCase ? name.toLowerCase() : name;
  }

  child(dir: DirNode<F, D>, name: string): TreeNode<F, D> | undefined {
    return dir.children.get(this.key(name));
  }

  put(dir: DirNode<F, D>, node: TreeNode<F, D>): void {
    dir.children.set(this.key(node.name), node);
  }

  remove(dir: DirNode<F, D>, name: string): void {
    dir.children.delete(this.key(name));
  }

  lookup(segments: string[]): Lookup<F, D> {
    const ancestors: DirNode<F, D>[] = [this.root];
    let dir: DirNode<F, D> = this.root;
    for (const segment of segments.slice(0, -1)) {
      const next = this.child(dir, segment);
      if (!next) return { ancestors, parent: undefined, node: undefined, parentIsFile: false };
      if (next.kind === "file") return { ancestors, parent: undefined, node: undefined, parentIsFile: true };
      ancestors.push(next);
      dir = next;
    }
    const last = segments.at(-1);
    return {
      ancestors,
      parent: dir,
      node: last === undefined ? this.root : this.child(dir, last),
      parentIsFile: false,
    };
  }

  find(segments: string[]): TreeNode<F, D> | undefined {
    return this.lookup(segments).node;
  }

  sorted(dir: DirNode<F, D>): TreeNode<F, D>[] {
    return [...dir.children.values()].sort((a, b) => compareNames(a.name, b.name));
  }

  /** Every node under `dir`, depth first, each directory before what it holds, names sorted. */
  *walk(dir: DirNode<F, D>, base: string): Generator<{ path: string; node: TreeNode<F, D> }> {
    for (const node of this.sorted(dir)) {
      const path = base ? `${base}/${node.name}` : node.name;
      yield { path, node };
      if (node.kind === "dir") yield* this.walk(node, path);
    }
  }
}

let etagCounter = 0;

/** An opaque, always-changing entity tag in the services' style ("0x8D..."), quoted. */
export function newEtag(): string {
  etagCounter++;
  const value = (BigInt(Date.now()) * 10_000n + BigInt(etagCounter % 10_000)).toString(16).toUpperCase();
  return `"0x8D${value.slice(-13)}"`;
}

export interface Stamp {
  etag: string;
  lastModified: Date;
}

export function stamp(): Stamp {
  return { etag: newEtag(), lastModified: new Date() };
}

/** Content headers as stored; each is returned under its standard response header. */
export interface ContentHeaders {
  contentType?: string | undefined;
  contentEncoding?: string | undefined;
  contentLanguage?: string | undefined;
  contentDisposition?: string | undefined;
  cacheControl?: string | undefined;
}

/** A growable byte store: a file's size may exceed what was written (unwritten bytes read as 0). */
export class Content {
  private data = Buffer.alloc(0);

  constructor(public size = 0) {}

  write(offset: number, bytes: Buffer): void {
    const end = offset + bytes.length;
    if (end > this.data.length) {
      const grown = Buffer.alloc(Math.max(end, Math.min(this.size, this.data.length * 2)));
      this.data.copy(grown);
      this.data = grown;
    }
    bytes.copy(this.data, offset);
    if (end > this.size) this.size = end;
  }

  clear(offset: number, length: number): void {
    const end = Math.min(offset + length, this.data.length);
    if (offset < end) this.data.fill(0, offset, end);
  }

  read(offset: number, length: number): Buffer {
    const out = Buffer.alloc(length);
    if (offset < this.data.length)
      this.data.copy(out, 0, offset, Math.min(offset + length, this.data.length));
    return out;
  }

  resize(size: number): void {
    if (size < this.data.length) this.data = Buffer.from(this.data.subarray(0, size));
    this.size = size;
  }
}
