/** Bounds how many calls the simulated fleet has in flight at once (`--concurrency`). */
export class LimiterClosedError extends Error {
  constructor() {
    super('the fleet is stopping');
    this.name = 'LimiterClosedError';
  }
}

export class Limiter {
  private active = 0;
  private readonly waiting: { resolve: () => void; reject: (error: Error) => void }[] = [];
  private closed = false;

  constructor(private readonly limit: number) {
    if (!Number.isInteger(limit) || limit < 1)
      throw new Error('the limit must be a positive integer');
  }

  get inFlight(): number {
    return this.active;
  }

  get queued(): number {
    return this.waiting.length;
  }

  async acquire(): Promise<void> {
    if (this.closed) throw new LimiterClosedError();
    if (this.active < this.limit) {
      this.active += 1;
      return;
    }
    await new Promise<void>((resolve, reject) => this.waiting.push({ resolve, reject }));
  }

  release(): void {
    const next = this.waiting.shift();
    if (next) next.resolve();
    else this.active -= 1;
  }

  /** Refuses every queued and future call (a stopping fleet sends nothing more). */
  close(): void {
    this.closed = true;
    for (const waiter of this.waiting.splice(0)) waiter.reject(new LimiterClosedError());
  }

  async run<T>(task: () => Promise<T>): Promise<T> {
    await this.acquire();
    try {
      return await task();
    } finally {
      this.release();
    }
  }
}
