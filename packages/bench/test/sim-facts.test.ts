/**
 * The simulator numbers its facts sends as `palisade-agent` does, against a real server on
 * loopback (a real SQLite file): a facts change is stored with its number; when the server has
 * forgotten it (the row put back, the server restarted on the file), the machine's next check-in
 * is answered "send all your facts", and the machine sends them at once.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceFacts } from '@palisade/core';
import { openStore, type RunningServer, startServer } from '@palisade/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FactsProbe } from '../src/bench/facts-probe.js';
import { AdminClient } from '../src/sim/admin-client.js';
import { Fleet } from '../src/sim/fleet.js';
import { DEFAULT_MIX } from '../src/sim/fleet-mix.js';

const PASSWORD = 'sim-facts-password-1';

describe('simulated machines: facts numbers', { timeout: 60_000 }, () => {
  let dir: string;
  let database: string;
  let server: RunningServer;
  let fleet: Fleet | undefined;

  const serve = (port = 0) =>
    startServer({
      database,
      port,
      host: '127.0.0.1',
      adminPassword: PASSWORD,
      logLevel: 'silent',
      webRoot: null,
    });

  const deviceRow = async (id: string) => {
    const row = await server.context.store.db
      .selectFrom('devices')
      .select(['facts', 'facts_seq'])
      .where('id', '=', id)
      .executeTakeFirstOrThrow();
    return { facts: JSON.parse(row.facts) as DeviceFacts, factsSeq: row.facts_seq };
  };

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-sim-facts-'));
    database = join(dir, 'palisade.sqlite');
    server = await serve();
  });

  afterAll(async () => {
    await fleet?.stop();
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends all facts at once when the server lost a facts change', async () => {
    const admin = await AdminClient.signIn(server.url, 'admin', PASSWORD);
    fleet = new Fleet({
      serverUrl: server.url,
      token: await admin.createOnboardingToken('sim facts'),
      devices: 3,
      mix: DEFAULT_MIX,
      seed: 'sim-facts',
      failureRate: 0,
      driftRate: 0,
      concurrency: 4,
      notify: false,
      startAfterEnroll: false,
    });
    await fleet.enrollAll();
    const [agent] = fleet.agents;
    if (!agent?.deviceId) throw new Error('no machine enrolled');
    const deviceId = agent.deviceId;
    await agent.requestSync();
    const enrolled = await deviceRow(deviceId);
    expect(enrolled.factsSeq).toBe(0);

    await agent.changeFacts({ tags: [...agent.facts.tags, 'sim-changed'] });
    expect(agent.facts.tags).toContain('sim-changed');
    expect(await deviceRow(deviceId)).toMatchObject({ factsSeq: 1, facts: agent.facts });

    // A power loss took that commit: the row as it was, the server restarted on the file.
    const port = server.port;
    await server.close();
    const file = await openStore(database);
    await file.db
      .updateTable('devices')
      .set({ facts: JSON.stringify(enrolled.facts), facts_seq: enrolled.factsSeq })
      .where('id', '=', deviceId)
      .execute();
    await file.close();
    server = await serve(port);

    const checkIns = fleet.snapshot().checkIns;
    await agent.requestSync();
    const snapshot = fleet.snapshot();
    expect(snapshot.factsRequested).toBe(1);
    // The plain check-in (number 1), then all facts (number 2) at once.
    expect(snapshot.checkIns).toBe(checkIns + 2);
    expect(await deviceRow(deviceId)).toEqual({ factsSeq: 2, facts: agent.facts });
    await agent.requestSync();
    expect(fleet.snapshot().factsRequested).toBe(1);
  });
  it('carries on as handed-off machines in a thread of their own (the facts probe)', async () => {
    const admin = await AdminClient.signIn(server.url, 'admin', PASSWORD);
    const probed = new Fleet({
      serverUrl: server.url,
      token: await admin.createOnboardingToken('facts probe'),
      devices: 3,
      mix: DEFAULT_MIX,
      seed: 'facts-probe',
      failureRate: 0,
      driftRate: 0,
      concurrency: 4,
      notify: false,
      startAfterEnroll: false,
    });
    try {
      await probed.enrollAll();
      await Promise.all(probed.agents.map((agent) => agent.requestSync()));
      const handoffs = probed.agents.map((agent) => agent.handoff());
      const probe = await FactsProbe.start({
        serverUrl: server.url,
        warmUp: handoffs.slice(0, 1),
        agents: handoffs.slice(1),
        tag: 'probed',
      });
      const result = await probe.measure();
      expect(result.errors).toEqual([]);
      // The warm-up machine's change is made but not timed.
      expect(result.ms).toHaveLength(2);
      for (const ms of result.ms) expect(ms).toBeGreaterThan(0);
      // Each machine's change is what the server holds now, under its next facts number.
      for (const handoff of handoffs) {
        const row = await deviceRow(handoff.deviceId);
        expect(row.factsSeq).toBe(handoff.factsSeq + 1);
        expect(row.facts.tags).toEqual([...handoff.facts.tags, 'probed']);
      }
    } finally {
      await probed.stop();
    }
  });
});
