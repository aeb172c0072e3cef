// Per-object requests during a listing (properties, ACLs) run a few at a time instead of one
// round trip after another, and still come out in listing order.

/** `fn` over every item, with up to `width` calls in flight, results in input order. */
export async function* mapOrdered<T, R>(
  items: AsyncIterable<T>,
  width: number,
  fn: (item: T) => Promise<R>,
): AsyncGenerator<R> {
  const window: Promise<R>[] = [];
  for await (const item of items) {
    const result = fn(item);
    // Awaited in order below; until then a failure must not count as unhandled.
    result.catch(() => undefined);
    window.push(result);
    if (window.length >= width) yield await window.shift()!;
  }
  while (window.length > 0) yield await window.shift()!;
}
