/**
 * The simulator's HTTP transport. Thousands of simulated agents share one keep-alive pool for their
 * calls (enroll, check-in, report), bounded by `maxSockets`, so the server sees a few hundred busy
 * connections instead of one per machine. The `notify` streams cannot share: each held
 * server-sent-events request occupies its own socket for as long as it is open, so N connected
 * agents hold N sockets (plus the pool) — on both ends, which is what `ulimit -n` must allow. A
 * stream is held on an upgraded connection, as the agent holds it (NOTIFY_UPGRADE).
 */
import http from 'node:http';
import https from 'node:https';
import type { Socket } from 'node:net';
import { NOTIFY_UPGRADE } from '@palisade/protocol';
import { type ServerSentEvent, SseParser } from './sse-parser.js';

export interface JsonAnswer {
  readonly status: number;
  readonly body: unknown;
  /** Bytes of the answer body as received. */
  readonly bytes: number;
}

/** A non-2xx answer, with the server's error code and message when it sent one. */
export class ServerAnswerError extends Error {
  constructor(
    readonly status: number,
    readonly code: string | undefined,
    message: string,
  ) {
    super(message);
    this.name = 'ServerAnswerError';
  }
}

/** The pooled socket was closed by the server before the request reached it. */
class StaleSocketError extends Error {}

export interface EventStreamHandlers {
  onOpen(): void;
  onEvent(event: ServerSentEvent): void;
  /** The stream ended: error is set when it failed or was refused (a ServerAnswerError for a non-200). */
  onClose(error: Error | undefined): void;
}

export interface EventStream {
  close(): void;
}

const REQUEST_TIMEOUT_MS = 60_000;

export class AgentTransport {
  private readonly base: URL;
  private readonly client: typeof http | typeof https;
  private readonly pool: http.Agent;
  private readonly streams: http.Agent;

  constructor(serverUrl: string, maxSockets: number) {
    this.base = new URL(serverUrl);
    if (this.base.protocol !== 'http:' && this.base.protocol !== 'https:') {
      throw new Error(`--server: ${serverUrl} must be an http:// or https:// URL`);
    }
    const secure = this.base.protocol === 'https:';
    this.client = secure ? https : http;
    const AgentClass = secure ? https.Agent : http.Agent;
    this.pool = new AgentClass({ keepAlive: true, maxSockets, maxFreeSockets: maxSockets });
    // One socket per open stream, never reused for calls: a stream lives until it breaks.
    this.streams = new AgentClass({ keepAlive: false });
  }

  private pathOf(path: string): string {
    return `${this.base.pathname.replace(/\/$/, '')}${path}`;
  }

  private headers(credential: string | undefined, extra: Record<string, string | number>) {
    return credential === undefined ? extra : { ...extra, authorization: `Bearer ${credential}` };
  }

  /** POSTs JSON; resolves with the parsed answer for 2xx, rejects with ServerAnswerError otherwise. */
  async postJson(path: string, body: unknown, credential?: string): Promise<JsonAnswer> {
    const payload = Buffer.from(JSON.stringify(body));
    try {
      return await this.sendOnce(path, payload, credential);
    } catch (error) {
      // A pooled socket the server closed for idleness (its keep-alive timeout) while this request
      // was being written: the request never reached it, so sending it again is safe. Node's docs
      // recommend exactly this retry for reused sockets. It goes on a new connection: sockets
      // that went idle together expire together, so another pooled one may be closing too.
      if (!(error instanceof StaleSocketError)) throw error;
      return this.sendOnce(path, payload, credential, this.streams);
    }
  }

  private sendOnce(
    path: string,
    payload: Buffer,
    credential: string | undefined,
    agent: http.Agent = this.pool,
  ): Promise<JsonAnswer> {
    return new Promise<JsonAnswer>((resolve, reject) => {
      const request = this.client.request(
        {
          protocol: this.base.protocol,
          hostname: this.base.hostname,
          port: this.base.port,
          method: 'POST',
          path: this.pathOf(path),
          agent,
          headers: this.headers(credential, {
            'content-type': 'application/json',
            'content-length': payload.length,
          }),
        },
        (response) => {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('error', reject);
          response.on('end', () => {
            const text = Buffer.concat(chunks);
            const status = response.statusCode ?? 0;
            let parsed: unknown = null;
            try {
              parsed = text.length === 0 ? null : JSON.parse(text.toString('utf8'));
            } catch {
              parsed = text.toString('utf8');
            }
            if (status >= 200 && status < 300)
              resolve({ status, body: parsed, bytes: text.length });
            else reject(answerError(status, parsed, path));
          });
        },
      );
      request.setTimeout(REQUEST_TIMEOUT_MS, () => {
        request.destroy(new Error(`${path}: no answer within ${REQUEST_TIMEOUT_MS / 1000} s`));
      });
      request.on('error', (error: NodeJS.ErrnoException) => {
        const stale =
          request.reusedSocket &&
          (error.code === 'ECONNRESET' || error.message === 'socket hang up');
        reject(stale ? new StaleSocketError(error.message) : error);
      });
      request.end(payload);
    });
  }

  /**
   * Opens a server-sent-events stream (GET with `Accept: text/event-stream`), asking for the
   * upgraded connection the agent uses (NOTIFY_UPGRADE); a plain `200` event stream is read too.
   */
  openEventStream(path: string, credential: string, handlers: EventStreamHandlers): EventStream {
    let closed = false;
    let upgraded: Socket | undefined;
    const finish = (error: Error | undefined) => {
      if (closed) return;
      closed = true;
      handlers.onClose(error);
    };
    const request = this.client.request(
      {
        protocol: this.base.protocol,
        hostname: this.base.hostname,
        port: this.base.port,
        method: 'GET',
        path: this.pathOf(path),
        agent: this.streams,
        headers: this.headers(credential, {
          accept: 'text/event-stream',
          connection: 'Upgrade',
          upgrade: NOTIFY_UPGRADE,
        }),
      },
      (response) => {
        const status = response.statusCode ?? 0;
        if (status !== 200) {
          const chunks: Buffer[] = [];
          response.on('data', (chunk: Buffer) => chunks.push(chunk));
          response.on('end', () => {
            let parsed: unknown = null;
            try {
              parsed = JSON.parse(Buffer.concat(chunks).toString('utf8'));
            } catch {
              parsed = null;
            }
            finish(answerError(status, parsed, path));
          });
          response.on('error', finish);
          return;
        }
        const parser = new SseParser();
        response.setEncoding('utf8');
        handlers.onOpen();
        response.on('data', (chunk: string) => {
          for (const event of parser.push(chunk)) handlers.onEvent(event);
        });
        response.on('end', () => finish(undefined));
        response.on('error', finish);
        response.on('close', () => finish(undefined));
      },
    );
    request.on('upgrade', (_response, socket, head) => {
      upgraded = socket;
      const parser = new SseParser();
      const read = (chunk: string) => {
        for (const event of parser.push(chunk)) handlers.onEvent(event);
      };
      handlers.onOpen();
      if (head.length > 0) read(head.toString('utf8'));
      socket.setEncoding('utf8');
      socket.on('data', read);
      socket.on('end', () => {
        socket.destroy();
        finish(undefined);
      });
      socket.on('error', finish);
      socket.on('close', () => finish(undefined));
    });
    request.on('error', finish);
    request.end();
    return {
      close: () => {
        closed = true;
        request.destroy();
        upgraded?.destroy();
      },
    };
  }

  /** Closes every pooled socket. Open streams are closed by their owners. */
  destroy(): void {
    this.pool.destroy();
    this.streams.destroy();
  }
}

function answerError(status: number, body: unknown, path: string): ServerAnswerError {
  const error =
    body !== null && typeof body === 'object' && 'error' in body
      ? (body as { error?: { code?: unknown; message?: unknown } }).error
      : undefined;
  const code = typeof error?.code === 'string' ? error.code : undefined;
  const message = typeof error?.message === 'string' ? error.message : `HTTP ${status}`;
  return new ServerAnswerError(status, code, `${path}: ${status} ${message}`);
}
