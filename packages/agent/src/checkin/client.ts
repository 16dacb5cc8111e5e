/**
 * The agent side of the agent protocol (packages/protocol/src/agent.ts). Every answer of the
 * server is checked with the protocol's schema before the agent uses it; an error answer becomes
 * an AgentProtocolError with the server's code and message.
 */
import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import type { Readable } from 'node:stream';
import {
  AGENT_API_PREFIX,
  type CheckInRequest,
  type CheckInResponse,
  CheckInResponseSchema,
  DEVICE_AUTH_SCHEME,
  type EnrollRequest,
  type EnrollResponse,
  EnrollResponseSchema,
  NOTIFY_UPGRADE,
  NotifyConfigurationEventSchema,
  NotifyRevisionEventSchema,
  NotifySyncEventSchema,
  notifyQuery,
  type ReportRequest,
  type ReportResponse,
  ReportResponseSchema,
  type SignedConfiguration,
} from '@palisade/protocol';
import type { z } from 'zod';
import { readServerSentEvents } from './sse.js';

export class AgentProtocolError extends Error {
  constructor(
    message: string,
    readonly status: number | null,
    readonly code: string | null,
  ) {
    super(message);
    this.name = 'AgentProtocolError';
  }

  /** The credential or the token is no longer accepted: retrying will not help. */
  get refused(): boolean {
    return this.status === 401 || this.status === 403;
  }
}

export type NotifyEvent =
  | { readonly kind: 'revision'; readonly revision: number }
  /** The new configuration itself (asked for with `deliver=configuration`): verify and apply it. */
  | { readonly kind: 'configuration'; readonly configuration: SignedConfiguration }
  | { readonly kind: 'sync'; readonly syncRequestId: string };

export class AgentClient {
  private readonly base: string;

  constructor(
    serverUrl: string,
    private readonly credential: string | null,
  ) {
    this.base = serverUrl.replace(/\/+$/, '') + AGENT_API_PREFIX;
  }

  private headers(): Record<string, string> {
    const headers: Record<string, string> = {
      'content-type': 'application/json',
      accept: 'application/json',
    };
    if (this.credential) headers.authorization = `${DEVICE_AUTH_SCHEME} ${this.credential}`;
    return headers;
  }

  private async post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<T> {
    let response: Response;
    try {
      response = await fetch(this.base + path, {
        method: 'POST',
        headers: this.headers(),
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(60_000),
      });
    } catch (error) {
      throw new AgentProtocolError(
        `cannot reach ${this.base + path}: ${describeFetchError(error)}`,
        null,
        null,
      );
    }
    return answerOf(response, path, schema);
  }

  enroll(request: EnrollRequest): Promise<EnrollResponse> {
    return this.post('/enroll', request, EnrollResponseSchema);
  }

  checkIn(request: CheckInRequest): Promise<CheckInResponse> {
    return this.post('/check-in', request, CheckInResponseSchema);
  }

  report(request: ReportRequest): Promise<ReportResponse> {
    return this.post('/report', request, ReportResponseSchema);
  }

  /**
   * Holds the notify stream open and yields its notices until the server closes it or `signal`
   * aborts. The stream is asked for on an upgraded connection (NOTIFY_UPGRADE: the server keeps
   * far less per connection); a server or proxy that answers the plain event stream instead is
   * read the same way. The server sends a `: ping` comment every 25 s; a stream silent for
   * `idleMs` is taken for dead (a half-open connection) and ends, so the caller reconnects.
   * Malformed events are skipped (the next check-in fetches the truth anyway).
   */
  async *notify(
    heldRevision: number | null,
    signal: AbortSignal,
    idleMs = 75_000,
  ): AsyncGenerator<NotifyEvent> {
    // New configurations come on the stream itself (`configuration` events): a change is applied
    // and reported without a check-in. A server that does not know `deliver` sends notices.
    const query = notifyQuery(heldRevision, true);
    const idle = new AbortController();
    const stop = () => idle.abort();
    signal.addEventListener('abort', stop, { once: true });
    let timer = setTimeout(stop, idleMs);
    const alive = () => {
      clearTimeout(timer);
      timer = setTimeout(stop, idleMs);
    };
    let stream: Readable | undefined;
    const end = () => stream?.destroy();
    idle.signal.addEventListener('abort', end, { once: true });
    try {
      stream = await this.openNotify(`${this.base}/notify${query}`, idle.signal);
      try {
        for await (const event of readServerSentEvents(stream, alive)) {
          const notice = noticeOf(event.event, safeJson(event.data));
          if (notice) yield notice;
        }
      } catch (error) {
        // Silence (or a stop) ends the stream quietly; anything else is a lost connection.
        if (!idle.signal.aborted) throw error;
      }
    } finally {
      clearTimeout(timer);
      signal.removeEventListener('abort', stop);
      idle.signal.removeEventListener('abort', end);
      end();
    }
  }

  /** The notify stream's bytes: the upgraded connection, or the plain response's body. */
  private openNotify(url: string, signal: AbortSignal): Promise<Readable> {
    return new Promise((resolve, reject) => {
      const target = new URL(url);
      const request = (target.protocol === 'https:' ? httpsRequest : httpRequest)(target, {
        method: 'GET',
        headers: {
          ...this.headers(),
          accept: 'text/event-stream',
          connection: 'Upgrade',
          upgrade: NOTIFY_UPGRADE,
        },
        signal,
      });
      request.on('upgrade', (_response, socket, head) => {
        if (head.length > 0) socket.unshift(head);
        resolve(socket);
      });
      request.on('response', (response) => {
        if (response.statusCode === 200) {
          resolve(response);
          return;
        }
        // An error answer: its body says why, as for every other call.
        void (async () => {
          const chunks: Buffer[] = [];
          for await (const chunk of response) chunks.push(chunk as Buffer);
          const status = response.statusCode ?? 0;
          await answerOf(
            new Response(Buffer.concat(chunks), {
              status: status >= 200 && status <= 599 ? status : 502,
              statusText: response.statusMessage ?? '',
            }),
            '/notify',
            NotifyRevisionEventSchema,
          );
          reject(
            new AgentProtocolError('/notify: the server did not open the stream', status, null),
          );
        })().catch(reject);
      });
      request.on('error', (error) =>
        reject(new AgentProtocolError(`cannot reach ${url}: ${error.message}`, null, null)),
      );
      request.end();
    });
  }
}

function noticeOf(event: string, data: unknown): NotifyEvent | null {
  if (event === 'revision') {
    const parsed = NotifyRevisionEventSchema.safeParse(data);
    return parsed.success ? { kind: 'revision', revision: parsed.data.revision } : null;
  }
  if (event === 'configuration') {
    const parsed = NotifyConfigurationEventSchema.safeParse(data);
    return parsed.success ? { kind: 'configuration', configuration: parsed.data } : null;
  }
  if (event === 'sync') {
    const parsed = NotifySyncEventSchema.safeParse(data);
    return parsed.success ? { kind: 'sync', syncRequestId: parsed.data.syncRequestId } : null;
  }
  return null;
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

function describeFetchError(error: unknown): string {
  const cause = (error as { cause?: { message?: string } }).cause;
  return cause?.message ?? (error instanceof Error ? error.message : String(error));
}

async function answerOf<T>(response: Response, path: string, schema: z.ZodType<T>): Promise<T> {
  const text = await response.text();
  const body = safeJson(text);
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
    throw new AgentProtocolError(
      `${path}: the server answered ${response.status}: ${error?.message ?? (text.slice(0, 200) || response.statusText)}`,
      response.status,
      error?.code ?? null,
    );
  }
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    throw new AgentProtocolError(
      `${path}: the server's answer does not match the protocol: ${parsed.error.message}`,
      response.status,
      null,
    );
  }
  return parsed.data;
}
