/**
 * The agent's fast lane (http/agent-fast-lane.ts) answers check-ins and reports on node's HTTP
 * server in front of Hono. Its answers must be the Hono routes' answers: every request here goes
 * three ways — to the lane alone (its own node server, which answers 599 if the lane passes the
 * request on), to the running server (lane in front of Hono) and to the Hono app alone
 * (`app.request`) — and status, body and headers must agree.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { createAdaptorServer } from '@hono/node-server';
import { pino } from 'pino';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createAgentFastLane, SECURE_HEADERS } from '../src/http/agent-fast-lane.js';
import type { RunningServer } from '../src/index.js';
import { FleetService } from '../src/services/fleet/fleet-service.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { signIn } from './http.js';
import { describeEachStore } from './stores.js';

/** Headers that legitimately differ between transports (framing, time). */
const TRANSPORT_HEADERS = new Set(['date', 'connection', 'keep-alive', 'content-length']);

interface Answer {
  readonly status: number;
  readonly body: unknown;
  readonly headers: Record<string, string>;
}

interface Probe {
  readonly name: string;
  readonly method?: 'GET';
  readonly path: string;
  readonly headers: Record<string, string>;
  /** A function: reports need a new reportId on each of the three sends. */
  readonly body: () => string;
  /** Whether the lane takes it (false: it must pass it on to Hono). */
  readonly taken: boolean;
}

async function answerOf(response: Response): Promise<Answer> {
  const headers: Record<string, string> = {};
  response.headers.forEach((value, name) => {
    if (!TRANSPORT_HEADERS.has(name)) headers[name] = value;
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // not JSON: compared as text
  }
  return { status: response.status, body: normalise(body), headers };
}

/** The fallback interval is jittered per answer: compare its presence, not its value. */
function normalise(body: unknown): unknown {
  if (body && typeof body === 'object' && 'n' in body && typeof body.n === 'number') {
    return { ...body, n: 'jittered' };
  }
  return body;
}

describeEachStore('agent fast lane', (target) => {
  let server: RunningServer;
  let lane: Server;
  let laneUrl: string;
  let agent: SimulatedAgent;
  let token: string;

  beforeAll(async () => {
    server = await target.startServer();
    const admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'fast lane test',
    });
    token = created.body.token;
    agent = new SimulatedAgent(server.url, linuxFacts('lane-01'));
    await agent.enroll(token);
    await agent.checkIn();
    const fleet = server.context.fleet as FleetService;
    expect(fleet).toBeInstanceOf(FleetService);
    const take = createAgentFastLane({ fleet, logger: pino({ level: 'silent' }) });
    lane = createServer((request, response) => {
      if (take(request, response)) return;
      request.resume();
      response.statusCode = 599;
      response.end('passed on');
    });
    await new Promise<void>((resolve) => lane.listen(0, '127.0.0.1', resolve));
    laneUrl = `http://127.0.0.1:${(lane.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => lane?.close(() => resolve()));
  });

  const json = { 'content-type': 'application/json' };
  const auth = () => ({ ...json, authorization: `Bearer ${agent.credential}` });
  const report = () =>
    JSON.stringify({
      reportId: randomUUID(),
      revision: agent.revision,
      results: [{ id: 'antivirus.realTimeProtection', status: 'applied' }],
    });
  const probes = (): Probe[] => [
    {
      name: 'unchanged check-in',
      path: '/agent/v1/check-in',
      headers: auth(),
      body: () => JSON.stringify({ revision: agent.revision }),
      taken: true,
    },
    {
      name: 'check-in that gets the configuration',
      path: '/agent/v1/check-in',
      headers: { ...auth(), 'x-request-id': 'lane-test-1' },
      body: () => JSON.stringify({ revision: null }),
      taken: true,
    },
    {
      name: 'check-in with a facts delta that changes nothing',
      path: '/agent/v1/check-in',
      headers: auth(),
      body: () => JSON.stringify({ revision: agent.revision, facts: { hostname: 'lane-01' } }),
      taken: true,
    },
    {
      name: 'malformed JSON',
      path: '/agent/v1/check-in',
      headers: auth(),
      body: () => '{"revision":',
      taken: true,
    },
    {
      name: 'invalid fields (every one named)',
      path: '/agent/v1/check-in',
      headers: auth(),
      body: () => JSON.stringify({ revision: -1, syncRequestId: 'x'.repeat(65) }),
      taken: true,
    },
    {
      name: 'no credential',
      path: '/agent/v1/check-in',
      headers: json,
      body: () => JSON.stringify({ revision: null }),
      taken: true,
    },
    {
      name: 'a wrong secret',
      path: '/agent/v1/check-in',
      headers: { ...json, authorization: `Bearer ${agent.deviceId}.wrong` },
      body: () => JSON.stringify({ revision: null }),
      taken: true,
    },
    {
      name: 'a report',
      path: '/agent/v1/report',
      headers: auth(),
      body: report,
      taken: true,
    },
    {
      name: 'an invalid report',
      path: '/agent/v1/report',
      headers: auth(),
      body: () => JSON.stringify({ reportId: 'short', revision: 1, results: [{ id: '' }] }),
      taken: true,
    },
    {
      name: 'not JSON (passed on: Hono answers 415)',
      path: '/agent/v1/check-in',
      headers: { 'content-type': 'text/plain', authorization: `Bearer ${agent.credential}` },
      body: () => JSON.stringify({ revision: null }),
      taken: false,
    },
    {
      name: 'enroll with a token that does not exist',
      path: '/agent/v1/enroll',
      headers: json,
      body: () =>
        JSON.stringify({
          token: 'no-such-token',
          machineId: 'machine-lane',
          publicKey: agent.keys.publicKey,
          facts: linuxFacts('lane-02'),
        }),
      taken: true,
    },
    {
      name: 'enroll with invalid fields',
      path: '/agent/v1/enroll',
      headers: json,
      body: () => JSON.stringify({ token: '', machineId: 7, facts: { hostname: '' } }),
      taken: true,
    },
    {
      name: 'notify without a credential',
      method: 'GET',
      path: '/agent/v1/notify',
      headers: {},
      body: () => '',
      taken: true,
    },
    {
      name: 'notify with a wrong secret',
      method: 'GET',
      path: '/agent/v1/notify?revision=3',
      headers: { authorization: `Bearer ${agent.deviceId}.wrong` },
      body: () => '',
      taken: true,
    },
    {
      name: 'notify with an invalid revision (passed on: Hono answers 400)',
      method: 'GET',
      path: '/agent/v1/notify?revision=-1',
      headers: { authorization: `Bearer ${agent.credential}` },
      body: () => '',
      taken: false,
    },
    {
      name: 'a query string (passed on)',
      path: '/agent/v1/check-in?x=1',
      headers: auth(),
      body: () => JSON.stringify({ revision: agent.revision }),
      taken: false,
    },
  ];

  it('answers exactly as the Hono routes do', async () => {
    for (const probe of probes()) {
      const init = (): RequestInit =>
        probe.method === 'GET'
          ? { method: 'GET', headers: probe.headers }
          : { method: 'POST', headers: probe.headers, body: probe.body() };
      const viaLane = await answerOf(await fetch(`${laneUrl}${probe.path}`, init()));
      const viaServer = await answerOf(await fetch(`${server.url}${probe.path}`, init()));
      const viaHono = await answerOf(await server.app.request(probe.path, init()));
      if (!probe.taken) {
        expect(viaLane.status, probe.name).toBe(599);
        expect(viaServer, probe.name).toEqual(withRequestIdOf(viaHono, viaServer));
        continue;
      }
      expect(viaLane.status, probe.name).not.toBe(599);
      expect(viaLane, probe.name).toEqual(withRequestIdOf(viaHono, viaLane));
      expect(viaServer, probe.name).toEqual(withRequestIdOf(viaHono, viaServer));
      const sent = probe.headers['x-request-id'];
      if (sent) expect(viaLane.headers['x-request-id']).toBe(sent);
      else expect(viaLane.headers['x-request-id']).toMatch(/^[0-9a-f-]{36}$/);
    }
  });

  it('holds the notify stream with the headers the Hono route sends', async () => {
    // The Hono app alone on node's server (no lane): what the route answers on node.
    const honoOnly = createAdaptorServer({ fetch: server.app.fetch });
    await new Promise<void>((resolve) => honoOnly.listen(0, '127.0.0.1', resolve));
    const honoUrl = `http://127.0.0.1:${(honoOnly.address() as AddressInfo).port}`;
    const open = async (base: string) => {
      const controller = new AbortController();
      const response = await fetch(`${base}/agent/v1/notify?revision=0`, {
        headers: { authorization: `Bearer ${agent.credential}`, 'x-request-id': 'notify-lane' },
        signal: controller.signal,
      });
      const headers: Record<string, string> = {};
      response.headers.forEach((value, name) => {
        if (!TRANSPORT_HEADERS.has(name) && name !== 'transfer-encoding') headers[name] = value;
      });
      // The agent holds revision 0: the stream announces the current one at once.
      const reader = response.body?.getReader();
      const first = reader ? new TextDecoder().decode((await reader.read()).value) : '';
      controller.abort();
      return { status: response.status, headers, first };
    };
    try {
      const viaLane = await open(laneUrl);
      const viaHono = await open(honoUrl);
      expect(viaLane.status).toBe(200);
      expect(viaLane.headers).toEqual(viaHono.headers);
      expect(viaLane.headers['content-type']).toBe('text/event-stream');
      expect(viaLane.first).toBe(viaHono.first);
      expect(viaLane.first).toContain(`event: revision\ndata: {"revision":${agent.revision}}`);
    } finally {
      honoOnly.closeAllConnections();
      await new Promise<void>((resolve) => honoOnly.close(() => resolve()));
    }
  });

  it('enrolls through the lane as through Hono (same machine: same device, a new credential)', async () => {
    const body = JSON.stringify({
      token,
      machineId: agent.machineId,
      publicKey: agent.keys.publicKey,
      facts: agent.facts,
    });
    const init = { method: 'POST', headers: json, body };
    const viaLane = await fetch(`${laneUrl}/agent/v1/enroll`, init);
    const viaHono = await server.app.request('/agent/v1/enroll', init);
    expect(viaLane.status).toBe(200);
    expect(viaHono.status).toBe(200);
    const lane = (await viaLane.json()) as { deviceId: string; credential: string };
    const hono = (await viaHono.json()) as { deviceId: string; credential: string };
    expect(Object.keys(lane).sort()).toEqual(Object.keys(hono).sort());
    expect(lane.deviceId).toBe(agent.deviceId);
    expect(hono.deviceId).toBe(agent.deviceId);
    // The last enrollment's credential is the one that works now.
    agent.credential = hono.credential;
  });

  it('carries the secure headers Hono adds to every answer', async () => {
    const answer = await fetch(`${laneUrl}/agent/v1/check-in`, {
      method: 'POST',
      headers: auth(),
      body: JSON.stringify({ revision: agent.revision }),
    });
    for (const [name, value] of SECURE_HEADERS) expect(answer.headers.get(name), name).toBe(value);
  });

  it('passes on a body larger than the limit unread (Hono answers 413)', async () => {
    const big = JSON.stringify({ revision: null, syncRequestId: 'x'.repeat(1024 * 1024) });
    const viaLane = await fetch(`${laneUrl}/agent/v1/check-in`, {
      method: 'POST',
      headers: auth(),
      body: big,
    });
    expect(viaLane.status).toBe(599);
    const viaServer = await fetch(`${server.url}/agent/v1/check-in`, {
      method: 'POST',
      headers: auth(),
      body: big,
    });
    expect(viaServer.status).toBe(413);
    expect(((await viaServer.json()) as { error: { code: string } }).error.code).toBe(
      'payload_too_large',
    );
  });
});

/** Hono generated its own request id: compare everything else. */
function withRequestIdOf(expected: Answer, actual: Answer): Answer {
  const headers = { ...expected.headers };
  if (actual.headers['x-request-id']) headers['x-request-id'] = actual.headers['x-request-id'];
  return { ...expected, headers };
}
