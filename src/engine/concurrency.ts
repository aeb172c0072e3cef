// The two limits every job runs under: how many requests are in flight (a semaphore whose limit
// can change, for AUTO tuning), and how many bytes of data are held in memory (a byte budget).
// Both hand out in arrival order, so no file starves another.

type Waiter = () => void;

export class Semaphore {
  private active = 0;
  private readonly waiting: Waiter[] = [];

  constructor(private limit: number) {}

  get inUse(): number {
    return this.active;
  }

  get capacity(): number {
    return this.limit;
  }

  setLimit(limit: number): void {
    this.limit = Math.max(1, limit);
    this.wake();
  }

  async acquire(): Promise<() => void> {
    if (this.active >= this.limit || this.waiting.length > 0) {
      await new Promise<void>((resolve) => this.waiting.push(resolve));
    } else {
      this.active++;
    }
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.active--;
      this.wake();
    };
  }

  private wake(): void {
    while (this.active < this.limit && this.waiting.length > 0) {
      this.active++;
      this.waiting.shift()!();
    }
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    const release = await this.acquire();
    try {
      return await task();
    } finally {
      release();
    }
  }
}

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

/** Token bucket for --cap-mbps: `take` resolves when the bytes may go. */
export class RateLimiter {
  private available: number;
  private last = Date.now();
  private readonly bytesPerSecond: number;

  constructor(megabitsPerSecond: number) {
    this.bytesPerSecond = (megabitsPerSecond * 1_000_000) / 8;
    this.available = this.bytesPerSecond / 10;
  }

  async take(bytes: number): Promise<void> {
    for (;;) {
      const now = Date.now();
      this.available = Math.min(
        this.bytesPerSecond,
        this.available + ((now - this.last) / 1000) * this.bytesPerSecond,
      );
      this.last = now;
      if (this.available >= Math.min(bytes, this.bytesPerSecond)) {
        this.available -= bytes;
        return;
      }
      const wait = ((Math.min(bytes, this.bytesPerSecond) - this.available) / this.bytesPerSecond) * 1000;
      await new Promise((resolve) => setTimeout(resolve, Math.max(5, wait)));
    }
  }
}
