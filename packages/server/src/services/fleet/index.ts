/**
 * Wires the fleet engine for a server process: the push hub that fits the store (in-memory for
 * SQLite, one LISTEN/NOTIFY connection for PostgreSQL) and the FleetService over both.
 */

import { sql } from 'kysely';
import type { Logger } from 'pino';
import type { Registry } from 'prom-client';
import type { Clock } from '../../context.js';
import { MemoryPushHub } from '../../push/memory-push-hub.js';
import { PostgresPushHub } from '../../push/postgres-push-hub.js';
import type { PushHub } from '../../push/push-hub.js';
import type { Store } from '../../store/store.js';
import { FleetService } from './fleet-service.js';
import { DEFAULT_MAINTENANCE, FleetMaintenance, type MaintenanceOptions } from './maintenance.js';

export { FleetService } from './fleet-service.js';

export interface CreateFleetOptions {
  readonly store: Store;
  /** PostgreSQL: the URL the store was opened with, and its schema (search_path) if any. */
  readonly database: string;
  readonly searchPath?: string;
  readonly logger: Logger;
  readonly registry: Registry;
  readonly clock: Clock;
  /** Periodic work; `false` runs none (tests that drive it themselves). */
  readonly maintenance?: MaintenanceOptions | false;
}

export interface Fleet {
  readonly engine: FleetService;
  readonly push: PushHub;
  readonly maintenance: FleetMaintenance;
  close(): Promise<void>;
}

export async function createFleet(options: CreateFleetOptions): Promise<Fleet> {
  const push = await createPushHub(options);
  const engine = new FleetService({
    store: options.store,
    push,
    logger: options.logger,
    registry: options.registry,
    clock: options.clock,
  });
  const maintenance = new FleetMaintenance(engine, options.maintenance || DEFAULT_MAINTENANCE);
  if (options.maintenance !== false) maintenance.start();
  return {
    engine,
    push,
    maintenance,
    close: async () => {
      await maintenance.stop();
      await engine.close();
      await push.close();
    },
  };
}

async function createPushHub(options: CreateFleetOptions): Promise<PushHub> {
  if (options.store.dialect === 'sqlite') return new MemoryPushHub();
  // One channel per schema: processes on one deployment share it, test runs in other schemas
  // of the same database do not hear each other.
  const { rows } = await sql<{ schema: string }>`select current_schema() as schema`.execute(
    options.store.db,
  );
  const schema = (rows[0]?.schema ?? 'public').toLowerCase().replace(/[^a-z0-9_]/g, '_');
  return PostgresPushHub.start({
    connection: {
      connectionString: options.database,
      ...(options.searchPath ? { options: `-c search_path=${options.searchPath}` } : {}),
    },
    channel: `palisade_push_${schema}`.slice(0, 63),
    onError: (error) => options.logger.warn({ err: error }, 'push connection lost; reconnecting'),
  });
}
