// A source made of other sources (the lines of a --list-of-files, the buckets of an account):
// each object it yields carries the source that reads it, and every read goes there.
import { AzcpError } from "../../errors.js";
import type { BodySink } from "../../transport/http.js";
import type { CopySource, Source, SourceObject } from "../backend.js";

/**
 * Kept on the object itself, not in a map, so that objects the job skips or only plans hold
 * nothing here. A symbol key: copies of the object keep it, and a plan written as JSON leaves it out.
 */
const READER = Symbol("reader");

type RoutedObject = SourceObject & { [READER]?: Source };

/** The object as `source` reads it. */
export function routedTo(object: SourceObject, source: Source): SourceObject {
  return Object.assign(object, { [READER]: source });
}

export abstract class RoutedSource implements Source {
  abstract readonly description: string;
  abstract enumerate(): AsyncIterable<SourceObject>;

  private sourceOf(object: SourceObject): Source {
    const source = (object as RoutedObject)[READER];
    if (!source) throw new AzcpError("service", `internal: no source for ${object.key}`);
    return source;
  }

  read(
    object: SourceObject,
    offset: number,
    length: number,
    into: Buffer,
    signal?: AbortSignal,
  ): Promise<void> {
    return this.sourceOf(object).read(object, offset, length, into, signal);
  }

  stream(
    object: SourceObject,
    offset: number,
    length: number,
    sink: BodySink,
    signal?: AbortSignal,
  ): Promise<void> {
    const source = this.sourceOf(object);
    return source.stream
      ? source.stream(object, offset, length, sink, signal)
      : Promise.reject(new AzcpError("service", "internal: the source cannot stream"));
  }

  async checkUnchanged(object: SourceObject): Promise<void> {
    await this.sourceOf(object).checkUnchanged?.(object);
  }

  async release(object: SourceObject): Promise<void> {
    await this.sourceOf(object).release?.(object);
  }

  display(object: SourceObject): string {
    return (object as RoutedObject)[READER]?.display(object) ?? object.key;
  }

  copySource(object: SourceObject): Promise<CopySource> {
    const source = this.sourceOf(object);
    if (!source.copySource) throw new AzcpError("service", "internal: the source cannot be read by URL");
    return source.copySource(object);
  }
}
