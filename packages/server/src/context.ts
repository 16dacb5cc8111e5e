/**
 * What every route and service gets: the store, the fleet engine (D2), the push hub (D2), logging,
 * metrics, the clock and the server's options. main.ts / index.ts wire the real parts; tests wire
 * the same real parts over a temporary database.
 */
import type { Kysely } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Database } from './store/schema.js';
import type { Store } from './store/store.js';

/** Sends the pushes that a committed change requires. D1 calls it after the transaction commits. */
export type AfterCommit = () => Promise<void>;

export interface Page {
  readonly limit: number;
  readonly offset: number;
}

/**
 * The fleet engine's face towards the admin API (implemented by D2 in services/fleet/). Each
 * `…Changed` hook runs inside the admin change's transaction, recomputes exactly the devices the
 * change reaches, and returns the pushes to send once the transaction has committed.
 */
export interface FleetEngine {
  policiesChanged(
    trx: Kysely<Database>,
    tenantId: string,
    policyIds: readonly string[],
  ): Promise<AfterCommit>;
  /** A group's rule or members were edited, or the group was deleted. */
  groupsChanged(
    trx: Kysely<Database>,
    tenantId: string,
    groupIds: readonly string[],
  ): Promise<AfterCommit>;
  /** Asset rules saved or deleted: (re)tag the devices at once. */
  assetRulesChanged(
    trx: Kysely<Database>,
    tenantId: string,
    ruleIds: readonly string[],
  ): Promise<AfterCommit>;
  /** Enforcement scope or switches changed: re-decide enrollment. */
  tenantSettingsChanged(trx: Kysely<Database>, tenantId: string): Promise<AfterCommit>;
}

export interface Clock {
  now(): Date;
}

export const systemClock: Clock = { now: () => new Date() };

export interface ServerOptions {
  /** The URL agents and browsers use to reach this server (onboarding instructions show it). */
  readonly publicUrl: string;
  /** Session lifetime in seconds. */
  readonly sessionTtlSeconds: number;
  /** Directory of the built portal (packages/web/dist), served at `/` when it exists. */
  readonly webRoot: string | null;
}

export interface Metrics {
  readonly registry: Registry;
}

export interface AppContext {
  readonly store: Store;
  readonly fleet: FleetEngine;
  readonly logger: Logger;
  readonly metrics: Metrics;
  readonly clock: Clock;
  readonly options: ServerOptions;
  /** Work to run when the server closes (D2: push hub listeners, timers). */
  readonly onClose: (() => Promise<void>)[];
}

/**
 * Runs an admin change in one transaction with the fleet engine's recompute, then sends the
 * pushes after commit. A failing push never undoes the committed change; it is logged.
 */
export async function commitChange<T>(
  context: AppContext,
  work: (trx: Kysely<Database>) => Promise<{ result: T; afterCommit?: readonly AfterCommit[] }>,
): Promise<T> {
  const { result, afterCommit } = await context.store.transaction(work);
  for (const send of afterCommit ?? []) {
    try {
      await send();
    } catch (error) {
      context.logger.error({ err: error }, 'sending pushes after a committed change failed');
    }
  }
  return result;
}
