/**
 * Devices' signed configurations in memory, by device and revision. A configuration never changes
 * under a revision (the revision is signed into the document, and any change of the document
 * moves it), so an entry is either the configuration of that revision or absent: no invalidation
 * is needed, on any store and with any number of processes. A propagation reads each new
 * configuration once for the check-in that delivers it, and the report that follows rolls up
 * against the parsed document kept here instead of reading and parsing it again; then the entry
 * goes (the agent holds the document).
 *
 * Bounded by bytes (the payloads' lengths): past the bound the oldest entries go first.
 */
import type { EffectiveConfiguration } from '@palisade/core';

export interface CachedConfiguration {
  readonly revision: number;
  readonly payload: string;
  readonly signature: string;
}

interface Entry extends CachedConfiguration {
  parsed?: EffectiveConfiguration;
}

/** 64 MiB of payloads: ~12,000 devices with a 5 KB configuration. */
const DEFAULT_MAX_BYTES = 64 * 1024 * 1024;

export class ConfigurationCache {
  readonly #entries = new Map<string, Entry>();
  readonly #maxBytes: number;
  #bytes = 0;

  constructor(maxBytes = DEFAULT_MAX_BYTES) {
    this.#maxBytes = maxBytes;
  }

  get bytes(): number {
    return this.#bytes;
  }

  /** The device's configuration at `revision`, if kept. */
  get(deviceId: string, revision: number): CachedConfiguration | undefined {
    const entry = this.#entries.get(deviceId);
    return entry?.revision === revision ? entry : undefined;
  }

  put(deviceId: string, configuration: CachedConfiguration): void {
    this.#drop(deviceId);
    const size = configuration.payload.length + configuration.signature.length;
    if (size > this.#maxBytes) return;
    while (this.#bytes + size > this.#maxBytes) {
      const oldest = this.#entries.keys().next().value;
      if (oldest === undefined) break;
      this.#drop(oldest);
    }
    this.#entries.set(deviceId, { ...configuration });
    this.#bytes += size;
  }

  /** The configuration document of the device at `revision`, parsed once; undefined if not kept. */
  parsed(deviceId: string, revision: number): EffectiveConfiguration | undefined {
    const entry = this.#entries.get(deviceId);
    if (entry?.revision !== revision) return undefined;
    entry.parsed ??= (
      JSON.parse(entry.payload) as { configuration: EffectiveConfiguration }
    ).configuration;
    return entry.parsed;
  }

  /**
   * The device reported its configuration: it holds it, and only a new revision (a new entry)
   * will be asked for again. Dropping it keeps an idle fleet's memory free of documents.
   */
  forget(deviceId: string): void {
    this.#drop(deviceId);
  }

  #drop(deviceId: string): void {
    const entry = this.#entries.get(deviceId);
    if (!entry) return;
    this.#entries.delete(deviceId);
    this.#bytes -= entry.payload.length + entry.signature.length;
  }
}
