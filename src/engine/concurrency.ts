// How many bytes of data a job holds in memory (a byte budget, handed out in arrival order so
// no file starves another), and the pool of buffers that hold them.

type Waiter = () => void;

export class ByteBudget {
  private used = 0;
  private readonly waiting: { bytes: number; resolve: Waiter }[] = [];
  /** Highest use seen, for reports. */
  peak = 0;

  constructor(readonly limit: number) {}

  get inUse(): number {
    return this.used;
  }

  /** Waits until `bytes` fit; a request larger than the whole budget waits until nothing else is held. */
  async acquire(bytes: number): Promise<() => void> {
    if (this.waiting.length > 0 || !this.fits(bytes)) {
      await new Promise<void>((resolve) => this.waiting.push({ bytes, resolve }));
    } else {
      this.take(bytes);
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.used -= bytes;
      this.wake();
    };
  }

  private fits(bytes: number): boolean {
    return this.used === 0 || this.used + bytes <= this.limit;
  }

  private take(bytes: number): void {
    this.used += bytes;
    this.peak = Math.max(this.peak, this.used);
  }

  private wake(): void {
    while (this.waiting.length > 0 && this.fits(this.waiting[0]!.bytes)) {
      const next = this.waiting.shift()!;
      this.take(next.bytes);
      next.resolve();
    }
  }
}

/** Reuses large buffers so a long job does not keep touching fresh memory. */
export class BufferPool {
  private readonly free = new Map<number, Buffer[]>();

  constructor(private readonly maxPooledBytes: number) {}

  private pooledBytes = 0;

  get(size: number): Buffer {
    const list = this.free.get(size);
    const buffer = list?.pop();
    if (buffer) {
      this.pooledBytes -= size;
      return buffer;
    }
    return Buffer.allocUnsafeSlow(size);
  }

  put(buffer: Buffer): void {
    if (buffer.length < 256 * 1024 || this.pooledBytes + buffer.length > this.maxPooledBytes) return;
    const list = this.free.get(buffer.length) ?? [];
    list.push(buffer);
    this.free.set(buffer.length, list);
    this.pooledBytes += buffer.length;
  }
}
