/**
 * The queue behind every group commit of the agents' writes (check-in history, reports,
 * enrollments): what arrives while a batch is being written waits for the next one, and the first
 * arrival schedules a batch on the next turn of the event loop, so the requests already parsed in
 * this turn join it. `writeBatch` settles every pending item of its batch (resolve or reject).
 */
export interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}

export class BatchQueue<T, R> {
  #queue: Pending<T, R>[] = [];
  #writing = false;

  constructor(
    private readonly writeBatch: (batch: readonly Pending<T, R>[]) => Promise<void>,
    /** At most this many items per batch (bounds how long one batch holds the store). */
    private readonly maxBatch = Number.POSITIVE_INFINITY,
  ) {}

  /** Settles when the batch holding `item` has been written (or failed for it). */
  push(item: T): Promise<R> {
    return new Promise<R>((resolve, reject) => {
      this.#queue.push({ item, resolve, reject });
      if (!this.#writing) {
        this.#writing = true;
        setImmediate(() => void this.#drain());
      }
    });
  }

  async #drain(): Promise<void> {
    while (this.#queue.length > 0) {
      const batch = this.#queue.splice(0, this.maxBatch);
      await this.writeBatch(batch);
    }
    this.#writing = false;
  }
}
