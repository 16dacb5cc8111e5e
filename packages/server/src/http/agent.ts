/**
 * The agent protocol under /agent/v1 (packages/protocol/src/agent.ts): enroll (the onboarding
 * token authenticates), check-in, notify and report (the device credential authenticates).
 */
import { z } from '@hono/zod-openapi';
import {
  CheckInRequestSchema,
  CheckInResponseSchema,
  EnrollRequestSchema,
  EnrollResponseSchema,
  ReportRequestSchema,
  ReportResponseSchema,
} from '@palisade/protocol';
import { streamSSE } from 'hono/streaming';
import type { PushEvent } from '../push/push-hub.js';
import {
  type AuthenticatedDevice,
  authenticateDevice,
  checkIn,
  enroll,
  report,
} from '../services/fleet/agent-service.js';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { jsonBody, jsonResponse, type PalisadeApp, route } from './route.js';

/** A comment line this often keeps proxies and the agent's read timeout from closing the stream. */
export const NOTIFY_PING_MS = 25_000;

const tags = ['agent'];

const enrollRoute = route('public', {
  method: 'post',
  path: '/agent/v1/enroll',
  tags,
  summary: 'Enroll a device with an onboarding token (idempotent per machine id)',
  request: { body: jsonBody(EnrollRequestSchema) },
  responses: { 200: jsonResponse(EnrollResponseSchema, 'Enrolled: device id and credential') },
});
const checkInRoute = route('device', {
  method: 'post',
  path: '/agent/v1/check-in',
  tags,
  summary: 'Check in: facts delta + held revision → unchanged, or the signed configuration',
  security: [{ device: [] }],
  request: { body: jsonBody(CheckInRequestSchema) },
  responses: { 200: jsonResponse(CheckInResponseSchema, 'Unchanged, or the new configuration') },
});
const notifyRoute = route('device', {
  method: 'get',
  path: '/agent/v1/notify',
  tags,
  summary: 'Server-sent events: `revision` when the configuration moves, `sync` for sync now',
  security: [{ device: [] }],
  request: {
    query: z.object({
      /** The revision the agent holds: a `revision` event comes at once when it is behind. */
      revision: z.coerce.number().int().nonnegative().optional(),
    }),
  },
  responses: {
    200: {
      description: 'An event stream; `: ping` comments every 25 s',
      content: { 'text/event-stream': { schema: z.string() } },
    },
  },
});
const reportRoute = route('device', {
  method: 'post',
  path: '/agent/v1/report',
  tags,
  summary: 'Per-setting results for a revision; idempotent on reportId',
  security: [{ device: [] }],
  request: { body: jsonBody(ReportRequestSchema) },
  responses: { 200: jsonResponse(ReportResponseSchema, 'Accepted (or recognised as a retry)') },
});

export function registerAgentRoutes(app: PalisadeApp, fleet: FleetService): void {
  app.openapi(enrollRoute, async (c) => c.json(await enroll(fleet, c.req.valid('json')), 200));

  app.openapi(checkInRoute, async (c) => {
    const device = await authenticateDevice(fleet.db, c.req.header('authorization'));
    return c.json(await checkIn(fleet, device, c.req.valid('json')), 200);
  });

  app.openapi(reportRoute, async (c) => {
    const device = await authenticateDevice(fleet.db, c.req.header('authorization'));
    return c.json(await report(fleet, device, c.req.valid('json')), 200);
  });

  app.openapi(notifyRoute, async (c) => {
    const device = await authenticateDevice(fleet.db, c.req.header('authorization'));
    const held = c.req.valid('query').revision;
    return streamSSE(c, (stream) => notify(fleet, device, held, stream)) as never;
  });
}

type SseStream = Parameters<Parameters<typeof streamSSE>[1]>[0];

/**
 * One notify stream. Notices only say "look": on each, the device's revision is read and a
 * `revision` event is sent when it passed the last one this stream announced (or the one the
 * agent holds). The stream ends when the client goes away or the device is offboarded.
 */
async function notify(
  fleet: FleetService,
  device: AuthenticatedDevice,
  held: number | undefined,
  stream: SseStream,
): Promise<void> {
  let announced = held ?? device.revision;
  let queue = Promise.resolve();
  let finish: () => void = () => {};
  const finished = new Promise<void>((resolve) => {
    finish = resolve;
  });
  const send = (event: string, data: unknown) =>
    stream.writeSSE({ event, data: JSON.stringify(data) });
  const check = async () => {
    const row = await fleet.db
      .selectFrom('devices')
      .select(['revision', 'offboarded_at'])
      .where('id', '=', device.id)
      .executeTakeFirst();
    if (!row || row.offboarded_at !== null) {
      finish();
      return;
    }
    if (row.revision > announced) {
      announced = row.revision;
      await send('revision', { revision: row.revision });
    }
  };
  const onEvent = (event: PushEvent) => {
    // Serialised so events leave in order and never interleave on the wire.
    queue = queue
      .then(async () => {
        if (event.kind === 'sync') await send('sync', { syncRequestId: event.syncRequestId });
        else if (event.kind === 'revision') await check();
      })
      .catch(() => finish());
  };
  const unsubscribe = fleet.push.subscribe(device.id, onEvent);
  fleet.metrics.notifyConnections.inc();
  const ping = setInterval(() => {
    queue = queue
      .then(() => stream.write(': ping\n\n'))
      .then(
        () => undefined,
        () => finish(),
      );
  }, NOTIFY_PING_MS);
  stream.onAbort(() => finish());
  try {
    // The agent may have missed a change between its last check-in and this connection.
    onEvent({ kind: 'revision' });
    await finished;
  } finally {
    clearInterval(ping);
    unsubscribe();
    fleet.metrics.notifyConnections.dec();
  }
}
