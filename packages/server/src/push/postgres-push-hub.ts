import pg from 'pg';
import { type FleetListener, ListenerRegistry, type PushEvent, type PushHub } from './push-hub.js';

/** PostgreSQL refuses NOTIFY payloads of 8000 bytes or more; stay well below. */
export const NOTIFY_PAYLOAD_LIMIT = 7_800;

/** What travels in one NOTIFY: tenant, event, and a batch of device ids. */
interface Notice {
  readonly t: string;
  readonly e: PushEvent;
  readonly d: readonly string[];
}

export interface PostgresPushHubOptions {
  /** How to reach the database (the same one the store uses, search_path included). */
  readonly connection: pg.ClientConfig;
  /**
   * The LISTEN/NOTIFY channel. Channels are per database, not per schema, so deployments (and test
   * runs) sharing one database in different schemas need different channels.
   */
  readonly channel: string;
  /** Called when the listening connection fails (it reconnects by itself). */
  readonly onError?: (error: Error) => void;
}

/**
 * Notices through PostgreSQL LISTEN/NOTIFY, so an agent connected to process B hears of a change
 * saved through process A. One dedicated connection per process listens and sends; the publishing
 * process hears its own notices back through it, so local and remote listeners follow one path.
 */
export class PostgresPushHub implements PushHub {
  private readonly registry = new ListenerRegistry();
  private client: pg.Client | null = null;
  private connecting: Promise<pg.Client> | null = null;
  private closed = false;
  private reconnectTimer: NodeJS.Timeout | null = null;

  private constructor(private readonly options: PostgresPushHubOptions) {
    if (!/^[a-z_][a-z0-9_]{0,62}$/.test(options.channel)) {
      throw new Error(`push channel "${options.channel}" must be a lower-case SQL identifier`);
    }
  }

  /** Connects and starts listening before it resolves, so no notice after start-up is missed. */
  static async start(options: PostgresPushHubOptions): Promise<PostgresPushHub> {
    const hub = new PostgresPushHub(options);
    await hub.connection();
    return hub;
  }

  get listenerCount(): number {
    return this.registry.listenerCount;
  }

  /**
   * Publishes go out one after the other, in the order asked: they share the one connection,
   * and a pg client given a query while another runs only queues it (deprecated: pg 9 refuses).
   */
  publish(tenantId: string, deviceIds: readonly string[], event: PushEvent): Promise<void> {
    const sent = this.sending.then(() => this.send(tenantId, deviceIds, event));
    // The next publish waits for this one, failed or not; this one's caller sees its failure.
    this.sending = sent.catch(() => undefined);
    return sent;
  }

  /** The publish under way, or the last one (settled). */
  private sending: Promise<void> = Promise.resolve();

  private async send(tenantId: string, deviceIds: readonly string[], event: PushEvent) {
    if (this.closed) return;
    const client = await this.connection();
    for (const payload of chunkNotices(tenantId, deviceIds, event)) {
      await client.query('SELECT pg_notify($1, $2)', [this.options.channel, payload]);
    }
  }

  subscribe(deviceId: string, listener: (event: PushEvent) => void): () => void {
    return this.registry.subscribe(deviceId, listener);
  }

  subscribeTenants(listener: (tenantId: string, event: PushEvent) => void): () => void {
    return this.registry.subscribeTenants(listener);
  }

  subscribeFleet(listener: FleetListener): () => void {
    return this.registry.subscribeFleet(listener);
  }

  async close(): Promise<void> {
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    const client = this.client;
    this.client = null;
    if (client) await client.end().catch(() => undefined);
  }

  private connection(): Promise<pg.Client> {
    if (this.client) return Promise.resolve(this.client);
    if (!this.connecting) {
      this.connecting = this.connect().finally(() => {
        this.connecting = null;
      });
    }
    return this.connecting;
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client(this.options.connection);
    client.on('notification', (message) => {
      if (message.channel !== this.options.channel || !message.payload) return;
      const notice = parseNotice(message.payload);
      if (notice) this.registry.deliver(notice.t, notice.d, notice.e);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('push connection ended')));
    await client.connect();
    await client.query(`LISTEN ${this.options.channel}`);
    if (this.closed) {
      await client.end();
      throw new Error('push hub closed');
    }
    this.client = client;
    return client;
  }

  /**
   * The listening connection broke: notices sent meanwhile are lost. Reconnect, then tell every
   * local listener to re-check its device's revision and every tenant listener to drop caches.
   */
  private lost(client: pg.Client, error: Error): void {
    if (this.client !== client || this.closed) return;
    this.client = null;
    this.options.onError?.(error);
    client.end().catch(() => undefined);
    const retry = (): void => {
      this.reconnectTimer = null;
      if (this.closed) return;
      this.connection().then(
        () => {
          this.registry.deliverToAll({ kind: 'revision' });
          this.registry.deliver('*', [], { kind: 'caches' });
        },
        () => {
          this.reconnectTimer = setTimeout(retry, 1_000);
        },
      );
    };
    this.reconnectTimer = setTimeout(retry, 200);
  }
}

/** Splits a notice into payloads under the NOTIFY limit, each with a batch of device ids. */
export function chunkNotices(
  tenantId: string,
  deviceIds: readonly string[],
  event: PushEvent,
): string[] {
  const empty = JSON.stringify({ t: tenantId, e: event, d: [] } satisfies Notice);
  if (deviceIds.length === 0) return [empty];
  const payloads: string[] = [];
  let batch: string[] = [];
  let size = Buffer.byteLength(empty);
  for (const id of deviceIds) {
    const cost = Buffer.byteLength(JSON.stringify(id)) + 1;
    if (size + cost > NOTIFY_PAYLOAD_LIMIT && batch.length > 0) {
      payloads.push(JSON.stringify({ t: tenantId, e: event, d: batch } satisfies Notice));
      batch = [];
      size = Buffer.byteLength(empty);
    }
    batch.push(id);
    size += cost;
  }
  payloads.push(JSON.stringify({ t: tenantId, e: event, d: batch } satisfies Notice));
  return payloads;
}

function parseNotice(payload: string): Notice | null {
  try {
    const value = JSON.parse(payload) as Partial<Notice>;
    if (typeof value.t !== 'string' || !Array.isArray(value.d) || !value.e) return null;
    return value as Notice;
  } catch {
    return null;
  }
}
