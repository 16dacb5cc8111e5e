/**
 * The agent's hot requests (`POST /agent/v1/enroll`, `/check-in`, `/report` and the held
 * `GET /agent/v1/notify`) answered on node's HTTP server directly, in front of the Hono app. Every
 * connected agent makes them, so their per-request cost bounds how many agents one process
 * serves; through Hono each paid for a Web `Request`, a body stream, a context and six
 * middlewares before the handler ran (measured: the unchanged check-in at ~0.3 of a bare Hono
 * server's rate), and a held stream kept some of them alive as long as the agent stayed.
 *
 * The answers are the Hono routes' answers, byte for byte (agent-fast-lane.test.ts compares the
 * two): the same validation (the protocol's zod schemas, the same field paths and messages), the
 * same services (`checkIn`, `report`), the same error bodies, the request id and security
 * headers, the request log line. The routes stay declared in the Hono app too: they document the
 * protocol in the OpenAPI reference, serve `app.request()` in tests, and take every request the
 * lane passes on — anything but a declared-length JSON body within the limit (a chunked body, a
 * wrong content type, an oversized one) goes to Hono unread, which answers it as before.
 */
import { randomUUID } from 'node:crypto';
import { type IncomingMessage, type ServerResponse, STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import {
  AGENT_API_PREFIX,
  CheckInRequestSchema,
  EnrollRequestSchema,
  MAX_REVISION,
  NOTIFY_DELIVER_CONFIGURATION,
  NOTIFY_UPGRADE,
  ReportRequestSchema,
} from '@palisade/protocol';
import type { Logger } from 'pino';
import type { z } from 'zod';
import { MAX_BODY_BYTES, MAX_REPORT_BODY_BYTES } from '../app.js';
import { ApiError, ERROR_CODES, invalidField, validationFailed } from '../errors.js';
import {
  type AuthenticatedDevice,
  authenticateDevice,
  checkIn,
  enroll,
  report,
} from '../services/fleet/agent-service.js';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { type NotifyRequest, openNotifyStream, openUpgradedNotifyStream } from './notify-stream.js';

const NOTIFY_PATH = `${AGENT_API_PREFIX}/notify`;

/** Hono's JSON validator accepts exactly these content types. */
const JSON_CONTENT_TYPE = /^application\/([a-z-.]+\+)?json(;\s*[a-zA-Z0-9-]+=([^;]+))*$/;

/** Hono's request-id middleware keeps a sent X-Request-Id of this form, else makes a UUID. */
const SENT_REQUEST_ID = /^[\w\-=]+$/;
const MAX_REQUEST_ID_LENGTH = 255;

/**
 * What Hono's `secureHeaders()` (with its defaults, as app.ts uses it) adds to every answer, in
 * the order it adds them; the parity test fails if Hono's defaults move.
 */
export const SECURE_HEADERS: readonly (readonly [string, string])[] = [
  ['cross-origin-opener-policy', 'same-origin'],
  ['cross-origin-resource-policy', 'same-origin'],
  ['origin-agent-cluster', '?1'],
  ['referrer-policy', 'no-referrer'],
  ['strict-transport-security', 'max-age=15552000; includeSubDomains'],
  ['x-content-type-options', 'nosniff'],
  ['x-dns-prefetch-control', 'off'],
  ['x-download-options', 'noopen'],
  ['x-frame-options', 'SAMEORIGIN'],
  ['x-permitted-cross-domain-policies', 'none'],
  ['x-xss-protection', '0'],
];

/** The head of every JSON answer but its request id and length, as node's flat header list. */
const JSON_ANSWER_HEAD: readonly string[] = [
  'content-type',
  'application/json',
  ...SECURE_HEADERS.flat(),
];

/** A POST the lane answers: its body schema and limit, and the service behind it. */
interface Lane {
  readonly schema: z.ZodType;
  readonly maxBytes: number;
  /** The answer to a valid body (device routes check the Authorization header themselves). */
  readonly answer: (body: unknown, authorization: string | undefined) => Promise<unknown>;
}

export interface AgentFastLaneOptions {
  readonly fleet: FleetService;
  readonly logger: Logger;
}

/**
 * Returns a node request listener front: it answers a request it takes and returns true, or
 * returns false having read nothing (the caller hands the request to Hono).
 */
export function createAgentFastLane(
  options: AgentFastLaneOptions,
): (request: IncomingMessage, response: ServerResponse) => boolean {
  const { fleet, logger } = options;
  /** A device route: the credential is checked after validation, as the Hono route does. */
  const asDevice =
    (answer: (device: AuthenticatedDevice, body: never) => Promise<unknown>) =>
    async (body: unknown, authorization: string | undefined) =>
      answer(await authenticateDevice(fleet, authorization), body as never);
  const lanes = new Map<string, Lane>([
    [
      '/agent/v1/enroll',
      {
        schema: EnrollRequestSchema,
        maxBytes: MAX_BODY_BYTES,
        answer: (body) => enroll(fleet, body as z.infer<typeof EnrollRequestSchema>),
      },
    ],
    [
      '/agent/v1/check-in',
      {
        schema: CheckInRequestSchema,
        maxBytes: MAX_BODY_BYTES,
        answer: asDevice((device, body: z.infer<typeof CheckInRequestSchema>) =>
          checkIn(fleet, device, body),
        ),
      },
    ],
    [
      '/agent/v1/report',
      {
        schema: ReportRequestSchema,
        maxBytes: MAX_REPORT_BODY_BYTES,
        answer: asDevice((device, body: z.infer<typeof ReportRequestSchema>) =>
          report(fleet, device, body),
        ),
      },
    ],
  ]);

  return (request, response) => {
    if (request.method === 'GET') {
      const asked = notifyRequestOf(request.url ?? '');
      if (asked === null) return false;
      void serveNotify(request, response, asked);
      return true;
    }
    if (request.method !== 'POST') return false;
    const lane = lanes.get(request.url ?? '');
    if (!lane) return false;
    const headers = request.headers;
    const contentType = headers['content-type'];
    if (contentType === undefined || !JSON_CONTENT_TYPE.test(contentType)) return false;
    const declared = headers['content-length'];
    if (declared === undefined || headers['transfer-encoding'] !== undefined) return false;
    const length = Number.parseInt(declared, 10) || 0;
    if (length > lane.maxBytes) return false;
    void serve(lane, request, response, length);
    return true;
  };

  /**
   * The notify stream: what the Hono route does (authenticate, then hold the stream), without a
   * Web Request, a Hono context or their listeners kept alive for as long as the agent stays
   * connected — per-connection memory is what bounds how many agents a process holds.
   */
  async function serveNotify(
    request: IncomingMessage,
    response: ServerResponse,
    asked: NotifyRequest,
  ): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(request);
    let device: AuthenticatedDevice;
    try {
      device = await authenticateDevice(fleet, request.headers.authorization);
    } catch (error) {
      answer(request, response, requestId, started, ...failure(error, request, requestId));
      return;
    }
    const head: Record<string, string> = Object.fromEntries(SECURE_HEADERS);
    head['x-request-id'] = requestId;
    openNotifyStream(response, head, fleet, device, asked);
    logRequest(logger, request, requestId, 200, started);
  }

  function failure(
    error: unknown,
    request: IncomingMessage,
    requestId: string,
  ): [status: number, body: string] {
    const refusal = apiErrorOf(logger, error, request, requestId);
    return [refusal.status, JSON.stringify(refusal.toBody())];
  }

  function answer(
    request: IncomingMessage,
    response: ServerResponse,
    requestId: string,
    started: number,
    status: number,
    body: string,
  ): void {
    if (response.destroyed) return;
    // One flat header list (node's raw form) instead of a setHeader call per header.
    response.writeHead(status, [
      ...JSON_ANSWER_HEAD,
      'x-request-id',
      requestId,
      'content-length',
      String(Buffer.byteLength(body)),
    ]);
    response.end(body);
    logRequest(logger, request, requestId, status, started);
  }

  async function serve(
    lane: Lane,
    request: IncomingMessage,
    response: ServerResponse,
    length: number,
  ): Promise<void> {
    const started = performance.now();
    const requestId = requestIdOf(request);
    let status = 200;
    let body: string;
    try {
      const text = await readBody(request, length);
      const parsed = parseJson(text);
      const checked = lane.schema.safeParse(parsed);
      if (!checked.success) throw validationFailed('body', checked.error.issues);
      body = JSON.stringify(await lane.answer(checked.data, request.headers.authorization));
    } catch (error) {
      [status, body] = failure(error, request, requestId);
    }
    answer(request, response, requestId, started, status, body);
  }
}

export interface NotifyUpgrade {
  /** The server's `upgrade` listener. */
  readonly handle: (request: IncomingMessage, socket: Socket, head: Buffer) => void;
  /** Closes every upgraded connection (node's server no longer tracks them: the server is closing). */
  readonly closeAll: () => void;
}

/**
 * The notify stream over an upgraded connection (NOTIFY_UPGRADE in the protocol): the same
 * checks as the plain stream (the path and its revision, the device credential) and the same error
 * bodies, written on the raw connection, which then closes. Any other upgrade is refused: this
 * server offers no other.
 */
export function createNotifyUpgrade(options: AgentFastLaneOptions): NotifyUpgrade {
  const { fleet, logger } = options;
  const open = new Set<Socket>();
  let closing = false;

  const refuse = (socket: Socket, requestId: string, error: ApiError) => {
    const body = JSON.stringify(error.toBody());
    const lines = [
      `HTTP/1.1 ${error.status} ${STATUS_CODES[error.status] ?? ''}`,
      'content-type: application/json',
      ...SECURE_HEADERS.map(([name, value]) => `${name}: ${value}`),
      `x-request-id: ${requestId}`,
      `content-length: ${Buffer.byteLength(body)}`,
      'connection: close',
    ];
    socket.end(`${lines.join('\r\n')}\r\n\r\n${body}`);
  };

  const handle = async (request: IncomingMessage, socket: Socket): Promise<void> => {
    const started = performance.now();
    const requestId = requestIdOf(request);
    socket.on('error', destroyOnError);
    let asked: NotifyRequest;
    let device: AuthenticatedDevice;
    try {
      if ((request.headers.upgrade ?? '').toLowerCase() !== NOTIFY_UPGRADE) {
        throw new ApiError(
          'validation_failed',
          `This server upgrades only GET /agent/v1/notify, to ${NOTIFY_UPGRADE}.`,
        );
      }
      const url = request.url ?? '';
      if (request.method !== 'GET' || url.split('?')[0] !== NOTIFY_PATH) {
        throw new ApiError('not_found');
      }
      const query = notifyRequestOf(url);
      if (query === null) {
        throw invalidField(
          'query',
          `revision must be a whole number (the revision held); deliver, if given, must be "${NOTIFY_DELIVER_CONFIGURATION}"`,
        );
      }
      asked = query;
      device = await authenticateDevice(fleet, request.headers.authorization);
    } catch (error) {
      const refusal = apiErrorOf(logger, error, request, requestId);
      refuse(socket, requestId, refusal);
      logRequest(logger, request, requestId, refusal.status, started);
      return;
    }
    hold(socket, requestId, device, asked);
    logRequest(logger, request, requestId, 101, started);
  };

  /**
   * Holds the stream. Apart from `handle` on purpose: a closure made there would keep its whole
   * scope alive — the request with its headers — for as long as the agent stays connected.
   */
  const hold = (
    socket: Socket,
    requestId: string,
    device: AuthenticatedDevice,
    asked: NotifyRequest,
  ) => {
    const head = [
      'HTTP/1.1 101 Switching Protocols',
      `upgrade: ${NOTIFY_UPGRADE}`,
      'connection: Upgrade',
      'cache-control: no-cache',
      `x-request-id: ${requestId}`,
    ].join('\r\n');
    // The server began closing while this one authenticated: nothing would end it later.
    if (closing) {
      socket.destroy();
      return;
    }
    openUpgradedNotifyStream(socket, `${head}\r\n\r\n`, fleet, device, asked, open);
  };

  return {
    handle: (request, socket) => void handle(request, socket),
    closeAll: () => {
      closing = true;
      for (const socket of open) socket.destroy();
      open.clear();
    },
  };
}

/** The request log line (Hono's request logger writes the same fields). */
function logRequest(
  logger: Logger,
  request: IncomingMessage,
  requestId: string,
  status: number,
  started: number,
): void {
  if (!logger.isLevelEnabled('info')) return;
  logger.info(
    {
      requestId,
      method: request.method,
      path: (request.url ?? '').split('?')[0],
      status,
      ms: Math.round((performance.now() - started) * 10) / 10,
    },
    'request',
  );
}

/** The answer to a failure: an ApiError as it is, anything else logged and answered 500. */
function apiErrorOf(
  logger: Logger,
  error: unknown,
  request: IncomingMessage,
  requestId: string,
): ApiError {
  if (error instanceof ApiError) return error;
  logger.error(
    { err: error, requestId, method: request.method, path: request.url },
    'unexpected error',
  );
  return new ApiError(
    'internal',
    `${ERROR_CODES.internal.message} Reference: request ${requestId}.`,
  );
}

function destroyOnError(this: Socket): void {
  this.destroy();
}

/** Hono's request-id middleware: keep a sent X-Request-Id of a safe form, else make a UUID. */
function requestIdOf(request: IncomingMessage): string {
  const sent = request.headers['x-request-id'];
  return typeof sent === 'string' &&
    sent.length > 0 &&
    sent.length <= MAX_REQUEST_ID_LENGTH &&
    SENT_REQUEST_ID.test(sent)
    ? sent
    : randomUUID();
}

/**
 * What `/agent/v1/notify[?revision=N][&deliver=configuration]` asks for (either order); null for
 * any other URL or query, which goes to Hono (its validator answers odd queries).
 */
function notifyRequestOf(url: string): NotifyRequest | null {
  if (url === NOTIFY_PATH) return { held: undefined, deliver: false };
  if (!url.startsWith(`${NOTIFY_PATH}?`)) return null;
  let held: number | undefined;
  let deliver = false;
  const seen = new Set<string>();
  for (const part of url.slice(NOTIFY_PATH.length + 1).split('&')) {
    const [name, value, extra] = part.split('=');
    if (name === undefined || value === undefined || extra !== undefined || seen.has(name)) {
      return null;
    }
    seen.add(name);
    if (name === 'revision' && /^\d{1,15}$/.test(value) && Number(value) <= MAX_REVISION) {
      held = Number(value);
    } else if (name === 'deliver' && value === NOTIFY_DELIVER_CONFIGURATION) {
      deliver = true;
    } else {
      return null;
    }
  }
  return { held, deliver };
}

/** The body as text; node's parser has already bounded it by the declared length. */
function readBody(request: IncomingMessage, length: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const parts: Buffer[] = [];
    let received = 0;
    request.on('data', (chunk: Buffer) => {
      received += chunk.length;
      parts.push(chunk);
    });
    request.once('end', () => {
      if (received !== length) {
        reject(new ApiError('validation_failed', 'The body is shorter than its Content-Length.'));
        return;
      }
      resolve(
        parts.length === 1
          ? (parts[0] as Buffer).toString('utf8')
          : Buffer.concat(parts).toString('utf8'),
      );
    });
    request.once('error', reject);
  });
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError('malformed_json');
  }
}
