/**
 * The agent's trust rules and its cycle, against a protocol server written here (node:http, the
 * protocol's own schemas and signing): what the agent does with configurations signed by another
 * key, with a revision lower than the one it holds, with a device that is not managed, with a
 * report the server did not take, and with notices on the notify stream.
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { EnrollmentDecision } from '@palisade/core';
import {
  type CheckInResponse,
  type ConfigurationDocument,
  generateEd25519KeyPair,
  ReportRequestSchema,
  signConfiguration,
} from '@palisade/protocol';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { writeSupportBundle } from '../analyze/support-bundle.js';
import { MDATP_MANAGED_FILE } from '../drivers/mdatp/mdatp-driver.js';
import { AgentState } from '../state/agent-state.js';
import { AgentClient } from './client.js';
import { backoffMs, runDaemon } from './daemon.js';
import { DeviceAgent, type SyncOutcome } from './device-agent.js';

const MANAGED: EnrollmentDecision = {
  code: 1,
  name: 'managed',
  managedBy: 'palisade',
  identity: 'create-synthetic',
  meaning: 'Enrolled and managed by Palisade.',
  fix: null,
  withheldProfiles: [],
};
const OUT_OF_SCOPE: EnrollmentDecision = {
  ...MANAGED,
  code: 51,
  name: 'out-of-scope',
  managedBy: 'none',
  meaning: 'The device is outside the enforcement scope.',
  fix: 'Add the management tag to the device, or widen the scope.',
};

const tenant = generateEd25519KeyPair();
const stranger = generateEd25519KeyPair();

function documentAt(
  revision: number,
  paths: string[],
  enrollment = MANAGED,
): ConfigurationDocument {
  return {
    deviceId: 'device-1',
    tenantId: 'tenant-1',
    revision,
    issuedAt: '2026-01-01T00:00:00.000Z',
    enrollment,
    configuration: {
      settings: [
        {
          id: 'exclusions.paths',
          value: paths,
          sources: [{ policyId: 'p', policyName: 'exclusions', version: revision }],
        },
      ],
      conflicts: [],
      hash: `hash-${revision}`,
    },
  };
}

/** A protocol server whose check-in answer the test sets. */
class FakeServer {
  server: Server;
  url = '';
  checkIns: unknown[] = [];
  reports: { reportId: string; revision: number }[] = [];
  failReports = 0;
  /** The answer to a check-in's body; null: 503. */
  answer: (body: unknown) => CheckInResponse | null = () => ({ s: 'u', n: 5400 });
  /** The Upgrade header of each notify request the server switched (with `offerUpgrade`). */
  upgrades: string[] = [];
  /** The URL of each notify request (plain or upgraded). */
  notifyUrls: string[] = [];
  private streams: { write(text: string): unknown; end(): unknown }[] = [];

  constructor(offerUpgrade = false) {
    this.server = createServer((request, response) => {
      void this.handle(request, response);
    });
    // Without an 'upgrade' listener node answers upgrade requests as plain ones (the fallback).
    if (offerUpgrade) {
      this.server.on('upgrade', (request: IncomingMessage, socket: Socket) => {
        this.upgrades.push(String(request.headers.upgrade));
        this.notifyUrls.push(String(request.url));
        socket.write(
          'HTTP/1.1 101 Switching Protocols\r\nupgrade: palisade-notify\r\nconnection: Upgrade\r\n\r\n: connected\n\n',
        );
        this.streams.push(socket);
        // Read, so the agent closing its end is seen (node's server keeps half-open sockets).
        socket.resume();
        socket.on('end', () => socket.destroy());
        socket.on('close', () => {
          this.streams = this.streams.filter((stream) => stream !== socket);
        });
      });
    }
  }

  async start(): Promise<void> {
    await new Promise<void>((resolve) => this.server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    for (const stream of this.streams) stream.end();
    this.server.closeAllConnections();
    await new Promise((resolve) => this.server.close(resolve));
  }

  notice(event: string, data: unknown): void {
    for (const stream of this.streams)
      stream.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  }

  /** Ends every notify stream, as a server restart does. */
  dropStreams(): void {
    for (const stream of this.streams.splice(0)) stream.end();
  }

  get listening(): number {
    return this.streams.length;
  }

  private async handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of request) chunks.push(chunk as Buffer);
    const body = chunks.length > 0 ? JSON.parse(Buffer.concat(chunks).toString('utf8')) : null;
    const json = (status: number, value: unknown) => {
      response.writeHead(status, { 'content-type': 'application/json' });
      response.end(JSON.stringify(value));
    };
    const path = request.url?.split('?')[0];
    if (path === '/agent/v1/enroll') {
      return json(200, {
        deviceId: 'device-1',
        tenantId: 'tenant-1',
        credential: 'device-1.secret',
        tenantPublicKey: tenant.publicKey,
        enrollment: MANAGED,
        nextCheckInSeconds: 5400,
      });
    }
    if (request.headers.authorization !== 'Bearer device-1.secret')
      return json(401, { error: { code: 'unauthorized', message: 'no' } });
    if (path === '/agent/v1/check-in') {
      this.checkIns.push(body);
      const answer = this.answer(body);
      if (answer === null) return json(503, { error: { code: 'unavailable', message: 'later' } });
      return json(200, answer);
    }
    if (path === '/agent/v1/report') {
      const report = ReportRequestSchema.parse(body);
      if (this.failReports > 0) {
        this.failReports--;
        return json(503, { error: { code: 'unavailable', message: 'try again' } });
      }
      const duplicate = this.reports.some((r) => r.reportId === report.reportId);
      this.reports.push(report);
      return json(200, { accepted: true, duplicate });
    }
    if (path === '/agent/v1/notify') {
      this.notifyUrls.push(String(request.url));
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.write(': connected\n\n');
      this.streams.push(response);
      request.on('close', () => {
        this.streams = this.streams.filter((stream) => stream !== response);
      });
      return;
    }
    json(404, { error: { code: 'not_found', message: path } });
  }
}

describe('DeviceAgent', () => {
  let server: FakeServer;
  let dir: string;
  let agent: DeviceAgent;
  const managedFile = () => join(dir, 'root', MDATP_MANAGED_FILE);
  const signed = (document: ConfigurationDocument, key = tenant.privateKey): CheckInResponse => ({
    s: 'c',
    n: 5400,
    configuration: signConfiguration(document, key),
  });

  /** `palisade-agent run` in the test, with every cycle's outcome kept. */
  const startDaemon = () => {
    const stop = new AbortController();
    const cycles: (SyncOutcome | Error)[] = [];
    const done = runDaemon(agent, {
      signal: stop.signal,
      onCycle: (outcome) => cycles.push(outcome),
      random: () => 0,
    });
    return { stop, cycles, done };
  };
  const waitFor = async (what: () => boolean) => {
    for (let i = 0; i < 200 && !what(); i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    expect(what()).toBe(true);
  };

  beforeEach(async () => {
    server = new FakeServer();
    await server.start();
    dir = mkdtempSync(join(tmpdir(), 'palisade-agent-'));
    const facts = join(dir, 'facts.json');
    writeFileSync(
      facts,
      JSON.stringify({ hostname: 'test-01', platform: 'linux', osVersion: '12', domain: null }),
    );
    agent = new DeviceAgent(new AgentState(join(dir, 'state')), {
      root: join(dir, 'root'),
      drivers: ['mdatp'],
      factsFile: facts,
    });
    await agent.enroll(server.url, 'onboarding-token');
  });

  afterEach(async () => {
    await server.stop();
  });

  it('applies a configuration signed with the pinned key and reports it', async () => {
    server.answer = () => signed(documentAt(4, ['/srv/']));
    const outcome = await agent.sync();
    expect(outcome.results).toEqual([
      { id: 'exclusions.paths', status: 'succeeded', target: 'mdatp' },
    ]);
    expect(outcome.settingChanges).toEqual([
      { id: 'exclusions.paths', change: 'added', after: ['/srv/'] },
    ]);
    expect(server.reports.map((r) => r.revision)).toEqual([4]);
    expect(readFileSync(managedFile(), 'utf8')).toContain('/srv/');
    // The next check-in says which revision the agent holds, and sends no unchanged facts.
    server.answer = () => ({ s: 'u', n: 5400 });
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({ revision: 4, factsSeq: 0 });
  });

  it('sends the facts that changed since the last check-in, so a change of facts reaches the server', async () => {
    server.answer = () => ({ s: 'u', n: 5400 });
    await agent.sync();
    // The facts sent with enroll are number 0: a check-in without facts repeats it.
    expect(server.checkIns.at(-1)).toEqual({ revision: null, factsSeq: 0 });
    // The machine left its MDM and was renamed: only those two facts travel, as send number 1.
    writeFileSync(
      join(dir, 'facts.json'),
      JSON.stringify({
        hostname: 'test-02',
        platform: 'linux',
        osVersion: '12',
        domain: null,
        mdmManaged: true,
      }),
    );
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({
      revision: null,
      facts: { hostname: 'test-02', mdmManaged: true },
      factsSeq: 1,
    });
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({ revision: null, factsSeq: 1 });
  });

  it('sends all of its facts at once when the server answers that it does not hold them', async () => {
    const factsFile = join(dir, 'facts.json');
    const current = JSON.parse(readFileSync(factsFile, 'utf8')) as Record<string, unknown>;
    writeFileSync(factsFile, JSON.stringify({ ...current, hostname: 'test-03' }));
    // The delta (number 1) is answered "send all": the very next request carries all of them.
    let asked = false;
    server.answer = () => {
      if (asked) return signed(documentAt(6, ['/srv/']));
      asked = true;
      return { s: 'u', n: 5400, f: 1 };
    };
    const before = server.checkIns.length;
    const outcome = await agent.sync();
    const sent = server.checkIns.slice(before);
    const all = (await agent.state.loadSentFacts())?.facts;
    expect(all?.hostname).toBe('test-03');
    expect(sent).toEqual([
      { revision: null, facts: { hostname: 'test-03' }, factsSeq: 1 },
      { revision: null, facts: all, factsSeq: 2, factsFull: true },
    ]);
    // The second answer is the one acted on.
    expect(outcome.revision).toBe(6);
    server.answer = () => ({ s: 'u', n: 5400 });
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({ revision: 6, factsSeq: 2 });
  });

  it('keeps asking to send all facts until the server holds them, across a failed attempt', async () => {
    // A plain check-in (number 0) is answered "send all", and sending them fails.
    let calls = 0;
    server.answer = () => {
      calls++;
      return calls === 1 ? { s: 'u', n: 5400, f: 1 } : null;
    };
    const before = server.checkIns.length;
    await agent.sync().catch(() => undefined);
    server.answer = () => ({ s: 'u', n: 5400 });
    await agent.sync();
    const sent = server.checkIns.slice(before) as Record<string, unknown>[];
    expect(sent.map((body) => [body.factsSeq, body.factsFull])).toEqual([
      [0, undefined],
      [1, true],
      // The next cycle sends them all again (the same number: that send was never answered).
      [1, true],
    ]);
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({ revision: null, factsSeq: 1 });
  });

  it('sends all facts, numbered 1, when the state was kept by an agent that did not number them', async () => {
    const all = (await agent.state.loadSentFacts())?.facts;
    // What an older agent wrote: the facts alone.
    writeFileSync(join(dir, 'state', 'facts.json'), JSON.stringify(all));
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({
      revision: null,
      facts: all,
      factsSeq: 1,
      factsFull: true,
    });
    await agent.sync();
    expect(server.checkIns.at(-1)).toEqual({ revision: null, factsSeq: 1 });
  });

  it('refuses a configuration signed by another key and applies nothing', async () => {
    server.answer = () => signed(documentAt(4, ['/srv/']), stranger.privateKey);
    await expect(agent.sync()).rejects.toThrow(
      /signature does not verify with the pinned tenant key/,
    );
    expect(existsSync(managedFile())).toBe(false);
    expect(await agent.state.loadConfiguration()).toBeNull();
  });

  it('refuses a revision lower than the one it holds (no rollback by replay)', async () => {
    server.answer = () => signed(documentAt(5, ['/srv/new/']));
    await agent.sync();
    server.answer = () => signed(documentAt(3, ['/srv/old/']));
    await expect(agent.sync()).rejects.toThrow(/revision 3 is older than the held revision 5/);
    expect(readFileSync(managedFile(), 'utf8')).toContain('/srv/new/');
    expect((await agent.state.loadConfiguration())?.revision).toBe(5);
  });

  it('drops a held configuration that no longer verifies and asks for the whole one', async () => {
    server.answer = () => signed(documentAt(4, ['/srv/']));
    await agent.sync();
    const path = join(dir, 'state', 'configuration.json');
    const held = JSON.parse(readFileSync(path, 'utf8'));
    held.signed.payload = held.signed.payload.replace('/srv/', '/tmp/');
    writeFileSync(path, JSON.stringify(held));
    const outcome = await agent.sync();
    expect(server.checkIns.at(-1)).toMatchObject({ revision: null });
    expect(outcome.revision).toBe(4);
    expect(readFileSync(managedFile(), 'utf8')).not.toContain('/tmp/');
  });

  it('applies nothing on a device that is not managed, and keeps its status, meaning and fix', async () => {
    server.answer = () => signed(documentAt(2, ['/srv/'], OUT_OF_SCOPE));
    const outcome = await agent.sync();
    expect(outcome.results).toEqual([]);
    expect(existsSync(managedFile())).toBe(false);
    expect((await agent.state.loadEnrollment())?.enrollment).toEqual(OUT_OF_SCOPE);
    // When the scope changes, the next configuration brings it under management, no re-enroll.
    server.answer = () => signed(documentAt(3, ['/srv/']));
    expect((await agent.sync()).results.map((r) => r.status)).toEqual(['succeeded']);
    expect((await agent.state.loadEnrollment())?.enrollment.code).toBe(1);
  });

  it('sends a report the server did not take again, with the same report id', async () => {
    server.answer = () => signed(documentAt(4, ['/srv/']));
    server.failReports = 1;
    expect((await agent.sync()).reportDelivered).toBe(false);
    const first = await agent.state.loadReport();
    server.answer = () => ({ s: 'u', n: 5400 });
    await agent.sync();
    expect(server.reports[0]?.reportId).toBe(first?.reportId);
  });

  it('puts a failed setting and an undelivered report in the support bundle findings', async () => {
    // A file where the Defender folder should be: the driver cannot write, and says why.
    mkdirSync(join(dir, 'root'), { recursive: true });
    writeFileSync(join(dir, 'root', 'etc'), 'not a directory');
    server.answer = () => signed(documentAt(4, ['/srv/']));
    server.failReports = 1;
    const outcome = await agent.sync();
    expect(outcome.results.map((r) => r.status)).toEqual(['failed']);
    const bundle = await writeSupportBundle(agent, join(dir, 'bundle.tar.gz'));
    expect(bundle.entries).toEqual(
      expect.arrayContaining(['configuration.json', 'enrollment.json', 'report.json', 'sync.json']),
    );
    const messages = bundle.findings.map((finding) => `${finding.severity}: ${finding.message}`);
    expect(messages).toContainEqual(
      expect.stringMatching(/^error: exclusions\.paths \(mdatp\): failed — .*ENOTDIR/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^warning: the last report .* has not reached the server$/),
    );
    expect(messages).toContainEqual(
      expect.stringMatching(/^error: mdatp: cannot read the native configuration: .*ENOTDIR/),
    );
    expect(readFileSync(join(dir, 'bundle.tar.gz')).subarray(0, 2)).toEqual(
      Buffer.from([0x1f, 0x8b]),
    );
    expect(JSON.stringify(bundle)).not.toContain('device-1.secret');
  });

  it('holds notify on an upgraded connection where the server offers one', async () => {
    const upgrading = new FakeServer(true);
    await upgrading.start();
    try {
      const client = new AgentClient(upgrading.url, 'device-1.secret');
      const stop = new AbortController();
      const notices = client.notify(1, stop.signal);
      const first = notices.next();
      const until = async (check: () => boolean) => {
        for (let i = 0; i < 200 && !check(); i++) await new Promise((r) => setTimeout(r, 10));
        expect(check()).toBe(true);
      };
      await until(() => upgrading.listening === 1);
      upgrading.notice('revision', { revision: 2 });
      expect((await first).value).toEqual({ kind: 'revision', revision: 2 });
      expect(upgrading.upgrades).toEqual(['palisade-notify']);
      // It asks for configurations on the stream itself, and reads them as such.
      expect(upgrading.notifyUrls).toEqual(['/agent/v1/notify?revision=1&deliver=configuration']);
      const configuration = signConfiguration(documentAt(3, ['/srv/']), tenant.privateKey);
      upgrading.notice('configuration', configuration);
      expect((await notices.next()).value).toEqual({ kind: 'configuration', configuration });
      stop.abort();
      expect((await notices.next()).done).toBe(true);
      await until(() => upgrading.listening === 0);
    } finally {
      await upgrading.stop();
    }
  });

  it('ends a notify stream that stays silent, so the daemon reconnects', async () => {
    const client = new AgentClient(server.url, 'device-1.secret');
    const notices = [];
    // The server holds the stream open and silent: without the watchdog this would never end.
    for await (const notice of client.notify(null, new AbortController().signal, 300))
      notices.push(notice);
    expect(notices).toEqual([]);
  });

  it('backs off exponentially with jitter, up to five minutes', () => {
    expect(backoffMs(0, () => 0)).toBe(500);
    expect(backoffMs(0, () => 1)).toBe(1000);
    expect(backoffMs(3, () => 1)).toBe(8000);
    expect(backoffMs(30, () => 1)).toBe(300_000);
  });

  it('runs: checks in again on the fallback interval the server gives, with no notice at all', async () => {
    // The server asks for the next check-in in 1 s (jittered to 0.5 s with random = 0).
    server.answer = () => ({ s: 'u', n: 1 });
    const { stop, cycles, done } = startDaemon();
    for (let i = 0; i < 400 && cycles.length < 3; i++)
      await new Promise((resolve) => setTimeout(resolve, 25));
    stop.abort();
    await done;
    expect(cycles.length).toBeGreaterThanOrEqual(3);
    expect(cycles.every((cycle) => !(cycle instanceof Error))).toBe(true);
  });

  it('runs: checks in at start, on each notice, again after the stream drops, and stops cleanly', async () => {
    server.answer = () => signed(documentAt(1, ['/srv/']));
    const { stop, cycles, done } = startDaemon();
    await waitFor(() => cycles.length === 1 && server.listening === 1);
    server.answer = () => signed(documentAt(2, ['/srv/', '/opt/']));
    server.notice('revision', { revision: 2 });
    await waitFor(() => readFileSync(managedFile(), 'utf8').includes('/opt/'));
    server.notice('sync', { syncRequestId: 'sync-7' });
    await waitFor(() =>
      server.checkIns.some((c) => (c as { syncRequestId?: string }).syncRequestId === 'sync-7'),
    );
    const before = server.checkIns.length;
    server.dropStreams();
    await waitFor(() => server.listening === 1 && server.checkIns.length > before);
    stop.abort();
    await done;
    expect(cycles.every((cycle) => !(cycle instanceof Error))).toBe(true);
  });

  it('runs: applies and reports a configuration the stream delivers, without a check-in', async () => {
    server.answer = () => signed(documentAt(1, ['/srv/']));
    const { stop, cycles, done } = startDaemon();
    await waitFor(() => cycles.length === 1 && server.listening === 1);
    expect(server.notifyUrls.at(-1)).toMatch(/[?&]deliver=configuration$/);
    const checkIns = server.checkIns.length;
    const reports = server.reports.length;
    server.notice(
      'configuration',
      signConfiguration(documentAt(2, ['/srv/', '/delivered/']), tenant.privateKey),
    );
    await waitFor(() => readFileSync(managedFile(), 'utf8').includes('/delivered/'));
    await waitFor(() => server.reports.length === reports + 1);
    expect(server.reports.at(-1)?.revision).toBe(2);
    expect(server.checkIns.length).toBe(checkIns);
    expect((await agent.state.loadConfiguration())?.revision).toBe(2);
    // One signed by another key is refused and applies nothing.
    server.notice(
      'configuration',
      signConfiguration(documentAt(3, ['/forged/']), stranger.privateKey),
    );
    await waitFor(() => cycles.length === 3);
    expect(cycles[2]).toBeInstanceOf(Error);
    expect(readFileSync(managedFile(), 'utf8')).not.toContain('/forged/');
    stop.abort();
    await done;
  });

  it('runs: configurations delivered more often than the fallback interval do not put off its check-ins', async () => {
    // Check in again after 1 s (0.5 s jittered with random = 0); a delivery every 100 ms.
    server.answer = () => ({ s: 'u', n: 1 });
    const { stop, cycles, done } = startDaemon();
    await waitFor(() => cycles.length >= 1 && server.listening === 1);
    const checkIns = server.checkIns.length;
    let revision = 1;
    const deliveries = setInterval(() => {
      revision += 1;
      server.notice(
        'configuration',
        signConfiguration(documentAt(revision, ['/srv/']), tenant.privateKey),
      );
    }, 100);
    try {
      // The facts still go up on the interval, deliveries or not.
      await waitFor(() => server.checkIns.length >= checkIns + 2);
    } finally {
      clearInterval(deliveries);
      stop.abort();
      await done;
    }
  });
});
