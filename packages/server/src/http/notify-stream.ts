/**
 * The agent's notify stream (server-sent events), held open by every connected agent: the
 * per-connection cost is what bounds how many agents one process holds. On node's HTTP server the
 * events are written straight to node's ServerResponse (no Web ReadableStream/TransformStream pair,
 * no Hono context kept alive) and one timer pings every open stream; elsewhere (`app.request()` in
 * tests, other runtimes) the same session runs over Hono's `streamSSE`.
 */
import type { ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Context } from 'hono';
import { streamSSE } from 'hono/streaming';
import type { PushEvent } from '../push/push-hub.js';
import type { AuthenticatedDevice } from '../services/fleet/agent-service.js';
import type { CachedConfiguration } from '../services/fleet/configuration-cache.js';
import { chunks } from '../services/fleet/fleet-db.js';
import type { FleetService } from '../services/fleet/fleet-service.js';

/** A comment line this often keeps proxies and the agent's read timeout from closing the stream. */
export const NOTIFY_PING_MS = 25_000;

/** Where a session writes its events; a write that fails ends the session. */
interface EventSink {
  write(text: string): Promise<void> | undefined;
}

/** The marker @hono/node-server reads as "the handler answered on the node response itself". */
const ALREADY_SENT_HEADER = 'x-hono-already-sent';

const SSE_HEADERS = {
  'transfer-encoding': 'chunked',
  'content-type': 'text/event-stream',
  'cache-control': 'no-cache',
  connection: 'keep-alive',
} as const;

function sseEvent(event: string, data: unknown): string {
  return `event: ${event}\ndata: ${JSON.stringify(data)}\n\n`;
}

/** What the agent asked for when it opened the stream. */
export interface NotifyRequest {
  /** The revision the agent holds (`?revision=N`); undefined when it did not say. */
  readonly held: number | undefined;
  /** `?deliver=configuration`: send new configurations themselves, not `revision` notices. */
  readonly deliver: boolean;
}

/**
 * One notify session. Notices only say "look": on each, the device's revision is read and, when
 * it passed the last one this stream announced (or the one the agent holds), a `revision` event
 * is sent — or, for an agent that asked for delivery, the signed configuration itself (a
 * `configuration` event: the agent applies and reports it without checking in). `end` is called
 * when the device is offboarded or a write fails.
 */
class NotifySession {
  private announced: number;
  private readonly deliver: boolean;
  private queue: Promise<void> = Promise.resolve();
  private ended = false;
  unsubscribe: () => void = () => {};

  constructor(
    private readonly fleet: FleetService,
    private readonly deviceId: string,
    asked: NotifyRequest,
    fallbackRevision: number,
    private readonly sink: EventSink,
    private readonly end: () => void,
  ) {
    this.announced = asked.held ?? fallbackRevision;
    this.deliver = asked.deliver;
  }

  /** Serialised so events leave in order and never interleave on the wire. */
  readonly onEvent = (event: PushEvent): void => {
    if (this.ended) return;
    this.queue = this.queue
      .then(async () => {
        if (event.kind === 'sync')
          await this.sink.write(sseEvent('sync', { syncRequestId: event.syncRequestId }));
        else if (event.kind === 'revision') await this.check();
      })
      .catch(() => this.end());
  };

  ping(): void {
    if (this.ended) return;
    this.queue = this.queue.then(() => this.sink.write(': ping\n\n')).catch(() => this.end());
  }

  /** Stops listening; idempotent. */
  stop(): void {
    if (this.ended) return;
    this.ended = true;
    this.unsubscribe();
    this.fleet.metrics.notifyConnections.dec();
  }

  private async check(): Promise<void> {
    const row = await readersOf(this.fleet).revisions.read(this.deviceId);
    if (!row || row.offboarded_at !== null) {
      this.end();
      return;
    }
    if (row.revision <= this.announced || this.ended) return;
    if (this.deliver) {
      // What is stored is sent, as a check-in would send it (a change committed meanwhile
      // included); the agent refuses nothing older than what it holds, nor does this stream.
      const configuration =
        this.fleet.configurations.get(this.deviceId, row.revision) ??
        (await readersOf(this.fleet).configurations.read(this.deviceId));
      if (configuration && configuration.revision > this.announced && !this.ended) {
        this.announced = configuration.revision;
        const { payload, signature } = configuration;
        await this.sink.write(sseEvent('configuration', { payload, signature }));
        this.fleet.metrics.pushes.inc({ kind: 'configuration' });
        return;
      }
      if (configuration) return;
    }
    this.announced = row.revision;
    await this.sink.write(sseEvent('revision', { revision: row.revision }));
  }
}

interface DeviceRevision {
  readonly revision: number;
  readonly offboarded_at: string | null;
}

/**
 * Reads rows by device id for the notify streams in batches: one policy change notifies every
 * stream of its devices at once, and the reads asked for in one turn of the event loop become a
 * few `id in (…)` queries instead of one query per stream.
 */
class BatchReader<Row> {
  private pending = new Map<string, ((row: Row | undefined) => void)[]>();
  private failures: ((error: unknown) => void)[] = [];
  private scheduled = false;

  constructor(private readonly load: (ids: readonly string[]) => Promise<Map<string, Row>>) {}

  read(deviceId: string): Promise<Row | undefined> {
    return new Promise((resolve, reject) => {
      const waiting = this.pending.get(deviceId);
      if (waiting) waiting.push(resolve);
      else this.pending.set(deviceId, [resolve]);
      this.failures.push(reject);
      if (!this.scheduled) {
        this.scheduled = true;
        setImmediate(() => void this.flush());
      }
    });
  }

  private async flush(): Promise<void> {
    const batch = this.pending;
    const failures = this.failures;
    this.pending = new Map();
    this.failures = [];
    this.scheduled = false;
    try {
      const rows = new Map<string, Row>();
      for (const ids of chunks([...batch.keys()])) {
        for (const [id, row] of await this.load(ids)) rows.set(id, row);
      }
      for (const [id, waiting] of batch) for (const resolve of waiting) resolve(rows.get(id));
    } catch (error) {
      for (const reject of failures) reject(error);
    }
  }
}

interface Readers {
  readonly revisions: BatchReader<DeviceRevision>;
  /** Signed configurations the cache does not hold (another process saved the change). */
  readonly configurations: BatchReader<CachedConfiguration>;
}

const readers = new WeakMap<FleetService, Readers>();

function readersOf(fleet: FleetService): Readers {
  let found = readers.get(fleet);
  if (!found) {
    found = {
      revisions: new BatchReader<DeviceRevision>(async (ids) => {
        const rows = await fleet.db
          .selectFrom('devices')
          .select(['id', 'revision', 'offboarded_at'])
          .where('id', 'in', ids)
          .execute();
        return new Map(rows.map(({ id, ...row }) => [id, row]));
      }),
      configurations: new BatchReader<CachedConfiguration>(async (ids) => {
        const rows = await fleet.db
          .selectFrom('effective_configurations')
          .select(['device_id', 'revision', 'payload', 'signature'])
          .where('device_id', 'in', ids)
          .execute();
        return new Map(
          rows.map(({ device_id, ...configuration }): [string, CachedConfiguration] => {
            fleet.configurations.put(device_id, configuration);
            return [device_id, configuration];
          }),
        );
      }),
    };
    readers.set(fleet, found);
  }
  return found;
}

/** Every open node-level session, pinged by one shared timer (not one interval per stream). */
const pinged = new Set<NotifySession>();
let pingTimer: NodeJS.Timeout | undefined;

function startPinging(session: NotifySession): void {
  pinged.add(session);
  pingTimer ??= setInterval(() => {
    for (const each of pinged) each.ping();
  }, NOTIFY_PING_MS);
}

function stopPinging(session: NotifySession): void {
  pinged.delete(session);
  if (pinged.size === 0 && pingTimer) {
    clearInterval(pingTimer);
    pingTimer = undefined;
  }
}

function begin(session: NotifySession, fleet: FleetService, deviceId: string): void {
  session.unsubscribe = fleet.push.subscribe(deviceId, session.onEvent);
  fleet.metrics.notifyConnections.inc();
  // The agent may have missed a change between its last check-in and this connection.
  session.onEvent({ kind: 'revision' });
}

/**
 * Answers a notify request with the event stream. Returns the Response for Hono: on node's server
 * a marker telling @hono/node-server the answer is already being written.
 */
export function answerNotify(
  c: Context,
  fleet: FleetService,
  device: AuthenticatedDevice,
  asked: NotifyRequest,
): Response {
  const outgoing = (c.env as { outgoing?: ServerResponse } | undefined)?.outgoing;
  if (!outgoing) return answerOverStreamSse(c, fleet, device, asked);
  // Built by the context, so the headers set before the handler (the request id) are on it too.
  const marker = c.body(null, 200, { [ALREADY_SENT_HEADER]: 'true' });
  // @hono/node-server's lazy Response would be written from its cache (ignoring the marker):
  // reading `body` turns it into a plain Response, whose headers the server does read.
  void marker.body;
  // The middlewares still run after this handler returns (request id, secure headers) and set
  // their headers on `marker`; they finish within the current turn of the event loop, so the
  // head is written on the next one with every header they set.
  setImmediate(() => openNodeStream(outgoing, marker.headers, fleet, device, asked));
  return marker;
}

function openNodeStream(
  outgoing: ServerResponse,
  headers: Headers,
  fleet: FleetService,
  device: AuthenticatedDevice,
  asked: NotifyRequest,
): void {
  const head: Record<string, string> = {};
  headers.forEach((value, name) => {
    if (name !== ALREADY_SENT_HEADER) head[name] = value;
  });
  openNotifyStream(outgoing, head, fleet, device, asked);
}

/**
 * Answers with the event stream on node's response: `head` is what every answer carries (request
 * id, security headers); the event-stream headers are added. The agent fast lane calls this
 * directly; the Hono route through `answerNotify`.
 */
export function openNotifyStream(
  outgoing: ServerResponse,
  head: Readonly<Record<string, string>>,
  fleet: FleetService,
  device: AuthenticatedDevice,
  asked: NotifyRequest,
): void {
  if (outgoing.destroyed) return;
  outgoing.writeHead(200, { ...head, ...SSE_HEADERS });
  outgoing.flushHeaders();
  const sink: EventSink = {
    write: (text) => {
      if (outgoing.destroyed || outgoing.writableEnded) {
        return Promise.reject(new Error('notify stream closed'));
      }
      outgoing.write(text);
      return undefined;
    },
  };
  const finish = () => {
    session.stop();
    stopPinging(session);
    if (!outgoing.writableEnded) outgoing.end();
  };
  const session = new NotifySession(fleet, device.id, asked, device.revision, sink, finish);
  outgoing.once('close', finish);
  startPinging(session);
  begin(session, fleet, device.id);
}

/**
 * The notify stream over a connection the agent asked to upgrade (`Connection: Upgrade`,
 * `Upgrade: palisade-notify`): after the `101 Switching Protocols` head (`head`, written here) the
 * connection carries the same event-stream text, unframed. Node's HTTP server lets go of an
 * upgraded connection — its parser, request and response objects are freed — so a held agent
 * costs a socket and this session (measured on a bare server: 6.5 KB RSS per connection against
 * 15.4 KB for a held node:http response). The agent sends nothing after the upgrade; its end of
 * the connection closing (or anything it sends) ends the session.
 */
export function openUpgradedNotifyStream(
  socket: Socket,
  head: string,
  fleet: FleetService,
  device: AuthenticatedDevice,
  asked: NotifyRequest,
  tracked: Set<Socket>,
): void {
  if (socket.destroyed) return;
  socket.setNoDelay(true);
  socket.write(head);
  tracked.add(socket);
  const sink = new SocketSink(socket, tracked);
  const session = new NotifySession(fleet, device.id, asked, device.revision, sink, sink.finish);
  sink.session = session;
  socket.once('close', sink.finish);
  socket.once('end', sink.finish);
  socket.once('error', sink.finish);
  // Flowing, so that the agent closing its end is seen; it has nothing to send.
  socket.on('data', destroySocket);
  startPinging(session);
  begin(session, fleet, device.id);
}

/**
 * An upgraded connection as a session's sink. A class, not closures: a closure would keep the
 * scope it was made in (the request, its headers) alive as long as the agent stays connected.
 */
class SocketSink implements EventSink {
  session: NotifySession | undefined;
  private finished = false;

  constructor(
    private readonly socket: Socket,
    private readonly tracked: Set<Socket>,
  ) {}

  write(text: string): Promise<void> | undefined {
    if (this.socket.destroyed || !this.socket.writable) {
      return Promise.reject(new Error('notify stream closed'));
    }
    this.socket.write(text);
    return undefined;
  }

  readonly finish = (): void => {
    if (this.finished) return;
    this.finished = true;
    if (this.session) {
      this.session.stop();
      stopPinging(this.session);
    }
    // Whatever is queued goes out first, then the connection closes.
    if (!this.socket.destroyed) this.socket.destroySoon();
    this.tracked.delete(this.socket);
  };
}

function destroySocket(this: Socket): void {
  this.destroy();
}

/** The same session over Hono's streamSSE (no node response to write to). */
function answerOverStreamSse(
  c: Context,
  fleet: FleetService,
  device: AuthenticatedDevice,
  asked: NotifyRequest,
): Response {
  return streamSSE(c, async (stream) => {
    let finish: () => void = () => {};
    const finished = new Promise<void>((resolve) => {
      finish = resolve;
    });
    const sink: EventSink = { write: (text) => stream.write(text).then(() => undefined) };
    const session = new NotifySession(fleet, device.id, asked, device.revision, sink, () =>
      finish(),
    );
    const ping = setInterval(() => session.ping(), NOTIFY_PING_MS);
    stream.onAbort(() => finish());
    try {
      begin(session, fleet, device.id);
      await finished;
    } finally {
      clearInterval(ping);
      session.stop();
    }
  });
}
