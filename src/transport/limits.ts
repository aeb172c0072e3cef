// What the transport runs under: how many requests are in flight (a semaphore whose limit can
// change, for AUTO tuning; handed out in arrival order) and how fast bytes may go (--cap-mbps).

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

/** Token bucket for --cap-mbps: `take` resolves when the bytes may go. 0 means no cap. */
export class RateLimiter {
  private available = 0;
  private last = Date.now();
  private bytesPerSecond = 0;

  constructor(megabitsPerSecond: number) {
    this.setRate(megabitsPerSecond);
  }

  /** Changes the cap while a job runs (a driving program's PerformanceAdjustment). */
  setRate(megabitsPerSecond: number): void {
    this.bytesPerSecond = (megabitsPerSecond * 1_000_000) / 8;
    this.available = this.bytesPerSecond / 10;
    this.last = Date.now();
  }

  async take(bytes: number): Promise<void> {
    for (;;) {
      if (this.bytesPerSecond <= 0) return;
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
