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
  MAX_REVISION,
  NOTIFY_DELIVER_CONFIGURATION,
  ReportRequestSchema,
  ReportResponseSchema,
} from '@palisade/protocol';
import { authenticateDevice, checkIn, enroll, report } from '../services/fleet/agent-service.js';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { answerNotify } from './notify-stream.js';
import { jsonBody, jsonResponse, type PalisadeApp, route } from './route.js';

export { NOTIFY_PING_MS } from './notify-stream.js';

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
  summary:
    'Server-sent events: `revision` (or, asked for, `configuration`) when the configuration moves, `sync` for sync now',
  description:
    'Sent with `Connection: Upgrade` and `Upgrade: palisade-notify`, the request is answered ' +
    '`101 Switching Protocols` and the connection then carries the same event-stream text, ' +
    'unframed, until either end closes it (the agent does this: the server keeps far less per ' +
    'held agent). Without the upgrade, the answer is the event stream below.',
  security: [{ device: [] }],
  request: {
    query: z.object({
      /** The revision the agent holds: a `revision` event comes at once when it is behind. */
      revision: z.coerce.number().int().nonnegative().max(MAX_REVISION).optional(),
      /**
       * `configuration`: new configurations come on the stream themselves (`configuration`
       * events, verified, applied and reported as a check-in's answer), not `revision` notices.
       */
      deliver: z.enum([NOTIFY_DELIVER_CONFIGURATION]).optional(),
    }),
  },
  responses: {
    101: { description: 'Switched to the event stream on the upgraded connection' },
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
    const device = await authenticateDevice(fleet, c.req.header('authorization'));
    return c.json(await checkIn(fleet, device, c.req.valid('json')), 200);
  });

  app.openapi(reportRoute, async (c) => {
    const device = await authenticateDevice(fleet, c.req.header('authorization'));
    return c.json(await report(fleet, device, c.req.valid('json')), 200);
  });

  app.openapi(notifyRoute, async (c) => {
    const device = await authenticateDevice(fleet, c.req.header('authorization'));
    const query = c.req.valid('query');
    const asked = { held: query.revision, deliver: query.deliver !== undefined };
    return answerNotify(c, fleet, device, asked) as never;
  });
}
