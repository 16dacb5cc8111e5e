/**
 * @palisade/server: the control plane. `startServer` opens the store (running migrations),
 * makes sure a first tenant exists, wires the app and listens; `main` is `palisade serve`.
 */
import {
  createServer as createHttpServer,
  type RequestListener,
  type ServerOptions,
} from 'node:http';
import type { AddressInfo } from 'node:net';
import { hostname } from 'node:os';
import { createAdaptorServer } from '@hono/node-server';
import { type Logger, pino } from 'pino';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { createApp } from './app.js';
import { type AppContext, type Clock, systemClock } from './context.js';
import { createAgentFastLane, createNotifyUpgrade } from './http/agent-fast-lane.js';
import type { PalisadeApp } from './http/route.js';
import { createFleet } from './services/fleet/index.js';
import { ensureFirstTenant, type FirstStart } from './services/tenants.js';
import { openStore, type Store } from './store/store.js';

export { createApp } from './app.js';
export type { AfterCommit, AppContext, FleetEngine } from './context.js';
export { ApiError, ERROR_CODES, type ErrorCode } from './errors.js';
export { main, nodeFlagsHint, SERVE_NODE_FLAGS } from './main.js';
export { createTenant, createUserRecord, FIRST_TENANT_ID } from './services/tenants.js';
export type { Database } from './store/schema.js';
export { openStore, type Store, type StoreDialect } from './store/store.js';

export interface StartServerOptions {
  /** `postgres://…`, or a SQLite file path. */
  readonly database: string;
  /** PostgreSQL only: the schema to work in (tests use one per run). */
  readonly searchPath?: string;
  /** 0 picks a free port. Default 8080. */
  readonly port?: number;
  /** Default 0.0.0.0. */
  readonly host?: string;
  /**
   * The URL agents use to reach this server; defaults to http://<host>:<port>, with this
   * machine's host name when listening on every interface.
   */
  readonly publicUrl?: string;
  /** Directory of the built portal; null to serve none. Default: packages/web/dist if built. */
  readonly webRoot?: string | null;
  /** Session lifetime, seconds (default 12 hours). */
  readonly sessionTtlSeconds?: number;
  /** First start: the admin password (else one is generated and returned). */
  readonly adminPassword?: string;
  readonly logger?: Logger;
  /** When no logger is given: pino level (default 'info'; 'silent' in tests). */
  readonly logLevel?: string;
  readonly clock?: Clock;
}

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  readonly context: AppContext;
  readonly app: PalisadeApp;
  readonly firstStart: FirstStart;
  /** Stops listening, drops open connections (notify streams), closes the store. */
  close(): Promise<void>;
}

const DEFAULT_SESSION_TTL_SECONDS = 12 * 60 * 60;

export async function startServer(options: StartServerOptions): Promise<RunningServer> {
  const logger = options.logger ?? pino({ level: options.logLevel ?? 'info' });
  const clock = options.clock ?? systemClock;
  const store = await openStore(options.database, {
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
  });
  try {
    const firstStart = await ensureFirstTenant(store.db, {
      ...(options.adminPassword ? { adminPassword: options.adminPassword } : {}),
      now: clock.now(),
    });
    return await listen(options, { store, logger, clock, firstStart });
  } catch (error) {
    await store.close();
    throw error;
  }
}

async function listen(
  options: StartServerOptions,
  parts: { store: Store; logger: Logger; clock: Clock; firstStart: FirstStart },
): Promise<RunningServer> {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  const host = options.host ?? '0.0.0.0';
  const fleet = await createFleet({
    store: parts.store,
    database: options.database,
    ...(options.searchPath ? { searchPath: options.searchPath } : {}),
    logger: parts.logger,
    registry,
    clock: parts.clock,
  });
  const context: AppContext = {
    store: parts.store,
    fleet: fleet.engine,
    logger: parts.logger,
    metrics: { registry },
    clock: parts.clock,
    options: {
      publicUrl: options.publicUrl ?? '',
      sessionTtlSeconds: options.sessionTtlSeconds ?? DEFAULT_SESSION_TTL_SECONDS,
      webRoot: options.webRoot ?? null,
    },
    onClose: [() => fleet.close()],
  };
  const app = createApp(context);
  // The agents' check-ins and reports are answered in front of Hono (http/agent-fast-lane.ts).
  const fastLane = createAgentFastLane({ fleet: fleet.engine, logger: parts.logger });
  const server = createAdaptorServer({
    fetch: app.fetch,
    hostname: host,
    createServer: ((serverOptions: ServerOptions, honoListener: RequestListener) =>
      createHttpServer(serverOptions, (request, response) => {
        if (!fastLane(request, response)) honoListener(request, response);
      })) as typeof createHttpServer,
  });
  // Agents that ask for it hold their notify stream on an upgraded connection (far leaner).
  const notifyUpgrade = createNotifyUpgrade({ fleet: fleet.engine, logger: parts.logger });
  server.on('upgrade', notifyUpgrade.handle);
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 8080, host, () => resolve());
  });
  const port = (server.address() as AddressInfo).port;
  const url = `http://${host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host}:${port}`;
  if (!options.publicUrl) {
    // Listening on every interface: machines elsewhere reach us by this host's name, not by
    // 127.0.0.1, so that is what onboarding commands show (override with --public-url).
    const wildcard = host === '0.0.0.0' || host === '::';
    (context.options as { publicUrl: string }).publicUrl = wildcard
      ? `http://${hostname()}:${port}`
      : url;
  }
  parts.logger.info({ url, database: parts.store.dialect }, 'palisade server listening');
  let closed: Promise<void> | undefined;
  const close = () => {
    closed ??= (async () => {
      await new Promise<void>((resolve) => {
        server.close(() => resolve());
        if ('closeAllConnections' in server) server.closeAllConnections();
        notifyUpgrade.closeAll();
      });
      for (const stop of context.onClose) await stop();
      await parts.store.close();
    })();
    return closed;
  };
  return { url, port, context, app, firstStart: parts.firstStart, close };
}
