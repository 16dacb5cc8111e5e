/**
 * What the credential check reads for a device (tenant, credential hash, revision, last seen, the
 * number of the facts held), kept in memory so that an unchanged check-in costs no database read
 * at all.
 *
 * Only a server that is the sole writer of its store may keep it (SQLite: one process, pushes
 * delivered in-process). Every change that moves a device's revision or credential is published
 * on the push hub (recompute, offboarding, re-enrollment), and the hub's delivery drops the
 * device's entry before any notify stream hears of the change: the agent is told to look only
 * after the entry is gone, so the check-in it makes then reads the database. With several
 * processes on PostgreSQL a notice reaches each process at its own moment, an agent could check in
 * at a process that has not heard yet and be told "unchanged" — there the cache stays off and the
 * check-in reads its row.
 *
 * A read that raced with a change must not put the old row back: every invalidation advances an
 * epoch, and a row read before it is not stored ({@link DeviceAuthCache.epoch} / `put`).
 */

export interface CachedDeviceAuth {
  readonly tenantId: string;
  readonly credentialHash: string;
  readonly revision: number;
  lastCheckInAt: string;
  /** `devices.facts_seq`: which facts send of the agent the server holds (null: unknown). */
  factsSeq: number | null;
  /** When the row was read (ms, monotonic clock): entries older than the TTL are read again. */
  readonly readAt: number;
}

export interface DeviceAuthCacheOptions {
  /** Off: every check-in reads its row (several processes on one store). */
  readonly enabled: boolean;
  /** An entry is trusted this long at most (a safety net; invalidation is what keeps it true). */
  readonly ttlMs?: number;
  /** Past this many devices the cache starts over (memory bound; ~250 bytes an entry). */
  readonly maxEntries?: number;
}

const DEFAULT_TTL_MS = 5 * 60_000;
const DEFAULT_MAX_ENTRIES = 500_000;

export class DeviceAuthCache {
  readonly enabled: boolean;
  readonly #ttlMs: number;
  readonly #maxEntries: number;
  readonly #entries = new Map<string, CachedDeviceAuth>();
  #epoch = 0;

  constructor(options: DeviceAuthCacheOptions) {
    this.enabled = options.enabled;
    this.#ttlMs = options.ttlMs ?? DEFAULT_TTL_MS;
    this.#maxEntries = options.maxEntries ?? DEFAULT_MAX_ENTRIES;
  }

  /** Take before reading a row; pass to `put` with what was read. */
  get epoch(): number {
    return this.#epoch;
  }

  get size(): number {
    return this.#entries.size;
  }

  get(deviceId: string): CachedDeviceAuth | undefined {
    if (!this.enabled) return undefined;
    const entry = this.#entries.get(deviceId);
    if (entry && performance.now() - entry.readAt > this.#ttlMs) {
      this.#entries.delete(deviceId);
      return undefined;
    }
    return entry;
  }

  /** Keeps a row read at `epoch`, unless an invalidation happened since. */
  put(deviceId: string, entry: Omit<CachedDeviceAuth, 'readAt'>, epoch: number): void {
    if (!this.enabled || epoch !== this.#epoch) return;
    if (this.#entries.size >= this.#maxEntries) this.#entries.clear();
    this.#entries.set(deviceId, { ...entry, readAt: performance.now() });
  }

  /** The check-in history recorded a new "last seen" for the device. */
  touch(deviceId: string, lastCheckInAt: string): void {
    const entry = this.#entries.get(deviceId);
    if (entry) entry.lastCheckInAt = lastCheckInAt;
  }

  /**
   * The device's facts were written with this number (`devices.facts_seq`). A row read before
   * (still carrying the old number) is not kept: the epoch moves.
   */
  factsStored(deviceId: string, factsSeq: number | null): void {
    this.#epoch++;
    const entry = this.#entries.get(deviceId);
    if (entry) entry.factsSeq = factsSeq;
  }

  /** The devices' revision or credential moved (or may have): forget them. */
  invalidate(deviceIds: readonly string[]): void {
    this.#epoch++;
    for (const id of deviceIds) this.#entries.delete(id);
  }

  clear(): void {
    this.#epoch++;
    this.#entries.clear();
  }
}
