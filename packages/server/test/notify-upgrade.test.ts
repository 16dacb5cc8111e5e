/**
 * The notify stream over an upgraded connection (NOTIFY_UPGRADE): the agent asks with
 * `Connection: Upgrade` / `Upgrade: palisade-notify`, the server answers `101 Switching Protocols`
 * and then writes the same event-stream text on the raw connection. Refusals are ordinary HTTP
 * answers with the usual error bodies, after which the connection closes. Spoken here over raw
 * sockets, byte for byte, as an agent's HTTP client would.
 */
import { connect, type Socket } from 'node:net';
import { NOTIFY_UPGRADE } from '@palisade/protocol';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, metricValue, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

const WITHIN_MS = 5_000;

/** A raw connection that collects what the server writes. */
class RawConnection {
  text = '';
  closed = false;
  private readonly socket: Socket;
  private waiters: (() => void)[] = [];

  constructor(url: string) {
    const { hostname, port } = new URL(url);
    this.socket = connect(Number(port), hostname);
    this.socket.setEncoding('utf8');
    this.socket.on('data', (chunk: string) => {
      this.text += chunk;
      this.wake();
    });
    this.socket.on('close', () => {
      this.closed = true;
      this.wake();
    });
    this.socket.on('error', () => {});
  }

  send(text: string): void {
    this.socket.write(text);
  }

  /** Waits until `done` holds (checked on every chunk and on close). */
  async until(what: string, done: () => boolean): Promise<void> {
    const deadline = Date.now() + WITHIN_MS;
    while (!done()) {
      if (Date.now() > deadline)
        throw new Error(`waited for ${what}; got ${JSON.stringify(this.text)}`);
      await new Promise<void>((resolve) => {
        this.waiters.push(resolve);
        setTimeout(resolve, 50);
      });
    }
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    const waiting = this.waiters;
    this.waiters = [];
    for (const resolve of waiting) resolve();
  }
}

function upgradeRequest(
  path: string,
  credential: string,
  upgrade: string = NOTIFY_UPGRADE,
  extra = '',
): string {
  return (
    `GET ${path} HTTP/1.1\r\nhost: agent.test\r\nauthorization: Bearer ${credential}\r\n` +
    `connection: Upgrade\r\nupgrade: ${upgrade}\r\n${extra}\r\n`
  );
}

/** Status, headers (lower-cased names) and body of an HTTP answer written on a raw connection. */
function answerOf(text: string) {
  const end = text.indexOf('\r\n\r\n');
  const [statusLine = '', ...lines] = text.slice(0, end).split('\r\n');
  const headers = Object.fromEntries(
    lines.map((line) => {
      const colon = line.indexOf(':');
      return [line.slice(0, colon).toLowerCase(), line.slice(colon + 1).trim()];
    }),
  );
  return { status: Number(statusLine.split(' ')[1]), headers, body: text.slice(end + 4) };
}

describeEachStore('notify over an upgraded connection', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let agent: SimulatedAgent;
  const open: RawConnection[] = [];
  const connection = () => {
    const made = new RawConnection(server.url);
    open.push(made);
    return made;
  };

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'notify upgrade test',
    });
    agent = new SimulatedAgent(server.url, linuxFacts('web-01'));
    await agent.enroll(created.body.token);
    await agent.checkIn();
  });
  afterAll(() => {
    for (const each of open) each.close();
  });

  it('switches protocols, then writes the event stream: the revision the agent lacks, and sync requests', async () => {
    const raw = connection();
    raw.send(
      upgradeRequest(
        '/agent/v1/notify?revision=0',
        agent.credential,
        NOTIFY_UPGRADE,
        'x-request-id: upgrade-1\r\n',
      ),
    );
    await raw.until('the revision event', () => raw.text.includes('event: revision'));
    const answer = answerOf(raw.text);
    expect(answer.status).toBe(101);
    expect(answer.headers.upgrade).toBe(NOTIFY_UPGRADE);
    expect(answer.headers.connection).toBe('Upgrade');
    expect(answer.headers['x-request-id']).toBe('upgrade-1');
    // No chunked framing after the switch: the events as they are.
    expect(answer.body).toBe(`event: revision\ndata: {"revision":${agent.revision}}\n\n`);
    expect(await metricValue(server.url, 'palisade_notify_connections', '')).toBe(1);

    const sync = await admin.post<{ syncRequestId: string }>('/api/v1/sync', {
      scope: 'device',
      id: agent.deviceId,
    });
    expect(sync.status).toBe(202);
    await raw.until('the sync event', () => raw.text.includes('event: sync'));
    expect(raw.text).toContain(
      `event: sync\ndata: {"syncRequestId":"${sync.body.syncRequestId}"}\n\n`,
    );

    // The agent going away ends the session.
    raw.close();
    const deadline = Date.now() + WITHIN_MS;
    while ((await metricValue(server.url, 'palisade_notify_connections', '')) !== 0) {
      expect(Date.now()).toBeLessThan(deadline);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
  });

  it('delivers configurations themselves when asked (deliver=configuration), in either order', async () => {
    for (const query of [
      '?deliver=configuration&revision=0',
      '?revision=0&deliver=configuration',
    ]) {
      const raw = connection();
      raw.send(upgradeRequest(`/agent/v1/notify${query}`, agent.credential));
      await raw.until('the configuration event', () => raw.text.endsWith('\n\n'));
      const answer = answerOf(raw.text);
      expect(answer.status).toBe(101);
      expect(answer.body.startsWith('event: configuration\ndata: ')).toBe(true);
      const data = JSON.parse(answer.body.slice('event: configuration\ndata: '.length));
      expect(JSON.parse(data.payload)).toMatchObject({
        deviceId: agent.deviceId,
        revision: agent.revision,
      });
      raw.close();
    }
  });

  it('refuses with the usual error bodies, then closes the connection', async () => {
    const cases = [
      {
        request: upgradeRequest('/agent/v1/notify', 'not-a-credential'),
        status: 401,
        code: 'device_unauthenticated',
      },
      {
        request: upgradeRequest('/agent/v1/notify', agent.credential, 'websocket'),
        status: 400,
        code: 'validation_failed',
      },
      {
        request: upgradeRequest('/api/v1/devices', agent.credential),
        status: 404,
        code: 'not_found',
      },
      {
        request: upgradeRequest('/agent/v1/notify?revision=2147483648', agent.credential),
        status: 400,
        code: 'validation_failed',
      },
      {
        request: upgradeRequest('/agent/v1/notify?revision=abc', agent.credential),
        status: 400,
        code: 'validation_failed',
      },
      {
        request: upgradeRequest('/agent/v1/notify?deliver=everything', agent.credential),
        status: 400,
        code: 'validation_failed',
      },
      {
        request: upgradeRequest(
          '/agent/v1/notify?deliver=configuration&deliver=configuration',
          agent.credential,
        ),
        status: 400,
        code: 'validation_failed',
      },
    ];
    for (const each of cases) {
      const raw = connection();
      raw.send(each.request);
      await raw.until('the connection to close', () => raw.closed);
      const answer = answerOf(raw.text);
      expect({ status: answer.status, code: JSON.parse(answer.body).error.code }).toEqual({
        status: each.status,
        code: each.code,
      });
      expect(answer.headers['content-type']).toBe('application/json');
      expect(answer.headers['x-content-type-options']).toBe('nosniff');
      expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
    }
    expect(await metricValue(server.url, 'palisade_notify_connections', '')).toBe(0);
  });

  it('closing the server ends the upgraded streams it holds', async () => {
    const own = await target.startServer();
    const raw = new RawConnection(own.url);
    open.push(raw);
    const ownAdmin = await signIn(own.url);
    const created = await ownAdmin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'closing',
    });
    const held = new SimulatedAgent(own.url, linuxFacts('web-02'));
    await held.enroll(created.body.token);
    raw.send(upgradeRequest('/agent/v1/notify', held.credential));
    await raw.until('the switch', () => raw.text.startsWith('HTTP/1.1 101'));
    await own.close();
    await raw.until('the connection to close', () => raw.closed);
  });
});
