/**
 * The notify stream is written straight to node's response (http/notify-stream.ts), outside
 * Hono's usual answer path: it must still carry what every answer carries (the request id, the
 * secure headers) besides the event-stream headers.
 */
import { beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, SimulatedAgent } from './agent-sim.js';
import { signIn } from './http.js';
import { describeEachStore } from './stores.js';

describeEachStore('notify stream headers', (target) => {
  let server: RunningServer;
  let agent: SimulatedAgent;

  beforeAll(async () => {
    server = await target.startServer();
    const admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'notify headers test',
    });
    agent = new SimulatedAgent(server.url, linuxFacts('web-01'));
    await agent.enroll(created.body.token);
  });

  it('carries the request id, the secure headers and the event-stream headers', async () => {
    const controller = new AbortController();
    const answer = await fetch(`${server.url}/agent/v1/notify`, {
      headers: { authorization: `Bearer ${agent.credential}`, 'x-request-id': 'notify-test-1' },
      signal: controller.signal,
    });
    try {
      expect(answer.status).toBe(200);
      expect(answer.headers.get('content-type')).toBe('text/event-stream');
      expect(answer.headers.get('cache-control')).toBe('no-cache');
      expect(answer.headers.get('x-request-id')).toBe('notify-test-1');
      expect(answer.headers.get('x-content-type-options')).toBe('nosniff');
      expect(answer.headers.get('x-frame-options')).toBe('SAMEORIGIN');
    } finally {
      controller.abort();
    }
  });
});
