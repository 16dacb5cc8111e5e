/**
 * The queue behind every group commit of the agents' writes (check-in history, reports,
 * enrollments): what arrives while a batch is being written waits for the next one, and the first
 * arrival schedules a batch on the next turn of the event loop, so the requests already parsed in
 * this turn join it.
 *
 * A batch is written whole (`write` with every item, one transaction); if that fails, each item is
 * written alone, so one failing item (a device deleted meanwhile, say) fails only its own caller.
 * Every caller is answered once the write holding its item has committed.
 */
export class BatchQueue<T, R> {
  #queue: Pending<T, R>[] = [];
  #writing = false;

  constructor(
    /** Writes the items (in one transaction) and answers one result per item, in their order. */
    private readonly write: (items: readonly T[]) => Promise<readonly R[]>,
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
      await this.#writeBatch(this.#queue.splice(0, this.maxBatch));
    }
    this.#writing = false;
  }

  async #writeBatch(batch: readonly Pending<T, R>[]): Promise<void> {
    let results: readonly R[];
    try {
      results = await this.write(batch.map((pending) => pending.item));
    } catch {
      for (const pending of batch) {
        try {
          const [result] = await this.write([pending.item]);
          pending.resolve(result as R);
        } catch (error) {
          pending.reject(error);
        }
      }
      return;
    }
    batch.forEach((pending, i) => {
      pending.resolve(results[i] as R);
    });
  }
}

interface Pending<T, R> {
  readonly item: T;
  readonly resolve: (value: R) => void;
  readonly reject: (error: unknown) => void;
}
