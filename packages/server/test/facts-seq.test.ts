/**
 * Numbered facts sends (`factsSeq`, agent-service.ts): a numbered facts change is committed
 * without waiting for the disk, and a change the server forgot (a power loss) is found at the
 * agent's next check-in, which is answered "send all your facts" (`f: 1`) — over real HTTP on
 * loopback, on a real SQLite file (restarted on it) and on PostgreSQL. An agent that sends no
 * number is answered as before.
 */
import { copyFileSync, existsSync, rmSync } from 'node:fs';
import type { DeviceFacts } from '@palisade/core';
import type { CheckInResponse } from '@palisade/protocol';
import SqliteDatabase from 'better-sqlite3';
import { afterAll, beforeAll, expect, it } from 'vitest';
import type { RunningServer } from '../src/index.js';
import { linuxFacts, metricValue, SimulatedAgent } from './agent-sim.js';
import { type ApiClient, signIn } from './http.js';
import { describeEachStore } from './stores.js';

interface Created {
  readonly id: string;
}

interface CheckInAnswer {
  readonly status: number;
  readonly body: CheckInResponse & { error?: { message: string; fields: { path: string }[] } };
  /** The answer's body as sent, in bytes. */
  readonly bytes: number;
}

const REQUESTED = 'palisade_facts_requested_total';

describeEachStore('numbered facts sends', (target) => {
  let server: RunningServer;
  let admin: ApiClient;
  let token: string;
  let hosts = 0;

  beforeAll(async () => {
    server = await target.startServer();
    admin = await signIn(server.url);
    const created = await admin.post<{ token: string }>('/api/v1/onboarding-tokens', {
      description: 'facts numbers',
    });
    token = created.body.token;
  });

  /** A newly enrolled Linux machine holding its first configuration. */
  const enrolled = async (extra: Partial<DeviceFacts> = {}): Promise<SimulatedAgent> => {
    hosts += 1;
    const agent = new SimulatedAgent(server.url, linuxFacts(`seq-${hosts}`, extra));
    await agent.enroll(token);
    const first = await send(agent, { factsSeq: 0 });
    expect(first.body).toMatchObject({ s: 'c' });
    expect(first.body.f).toBeUndefined();
    return agent;
  };

  /**
   * One check-in with the agent's held revision and `extra`; a configuration in the answer is
   * verified and held, as the agent does.
   */
  const send = async (
    agent: SimulatedAgent,
    extra: Record<string, unknown>,
  ): Promise<CheckInAnswer> => {
    // The server's address, not the agent's: a restarted server listens on another port.
    const response = await fetch(`${server.url}/agent/v1/check-in`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.credential}` },
      body: JSON.stringify({ revision: agent.revision, ...extra }),
    });
    const text = await response.text();
    const body = JSON.parse(text) as CheckInAnswer['body'];
    if (response.status === 200) agent.hold(body);
    return { status: response.status, body, bytes: Buffer.byteLength(text) };
  };

  const row = async (deviceId: string) => {
    const found = await server.context.store.db
      .selectFrom('devices')
      .select(['facts', 'facts_seq', 'revision', 'view_version'])
      .where('id', '=', deviceId)
      .executeTakeFirstOrThrow();
    return { ...found, facts: JSON.parse(found.facts) as DeviceFacts };
  };

  const requested = (reason: string) => metricValue(server.url, REQUESTED, `reason="${reason}"`);

  it('enrolls at facts number 0 and answers a check-in naming it as before, in at most 64 bytes', async () => {
    const agent = await enrolled();
    expect((await row(agent.deviceId)).facts_seq).toBe(0);
    const unchanged = await send(agent, { factsSeq: 0 });
    expect(unchanged.body).toEqual({ s: 'u', n: expect.any(Number) });
    // "Send all your facts" keeps the hot path's answer tiny.
    const asked = await send(agent, { factsSeq: 7 });
    expect(asked.body).toEqual({ s: 'u', n: expect.any(Number), f: 1 });
    expect(asked.bytes).toBeLessThanOrEqual(64);
  });

  it('a re-enrolled machine holds facts number 0 again (its agent numbers from 0 again)', async () => {
    const agent = await enrolled();
    const delta = await send(agent, { factsSeq: 1, facts: { tags: ['before-reenroll'] } });
    expect(delta.status).toBe(200);
    expect((await row(agent.deviceId)).facts_seq).toBe(1);
    // The same machine enrolls again (same machine id): the same device, the enroll's facts.
    const deviceId = agent.deviceId;
    await agent.enroll(token);
    expect(agent.deviceId).toBe(deviceId);
    expect((await row(deviceId)).facts_seq).toBe(0);
    const plain = await send(agent, { factsSeq: 0 });
    expect(plain.body.f).toBeUndefined();
  });

  it('times each check-in carrying facts, and only those (palisade_facts_check_in_seconds)', async () => {
    const agent = await enrolled();
    const timed = () => metricValue(server.url, 'palisade_facts_check_in_seconds_count', '');
    const before = await timed();
    await send(agent, { factsSeq: 0 });
    expect(await timed()).toBe(before);
    const delta = await send(agent, { factsSeq: 1, facts: { tags: ['timed'] } });
    expect(delta.status).toBe(200);
    expect(await timed()).toBe(before + 1);
  });

  it('refuses a bad factsSeq, or factsFull without all facts, with a 400 naming the field, and changes nothing', async () => {
    const agent = await enrolled();
    const before = await row(agent.deviceId);
    const complete = linuxFacts(agent.facts.hostname, { tags: ['refused'] });
    const { hostname: _left, ...missingHostname } = complete;
    const cases: [Record<string, unknown>, string, RegExp][] = [
      [{ factsSeq: -1 }, 'body.factsSeq', />=0/],
      [{ factsSeq: 1.5, facts: { tags: ['x'] } }, 'body.factsSeq', /int/],
      [{ factsSeq: 2 ** 31 }, 'body.factsSeq', /<=2147483647/],
      [{ factsSeq: '1' }, 'body.factsSeq', /number/],
      [{ factsSeq: 1, factsFull: true }, 'body.facts', /no facts were sent/],
      [
        { factsSeq: 1, factsFull: true, facts: missingHostname },
        'body.facts.hostname',
        /every fact/,
      ],
      [{ factsSeq: 1, factsFull: true, facts: { tags: ['x'] } }, 'body.facts.platform', /every/],
      [{ factsFull: true, facts: complete }, 'body.factsSeq', /needs factsSeq/],
      [{ factsSeq: 1, factsFull: false, facts: complete }, 'body.factsFull', /true/],
    ];
    for (const [extra, path, message] of cases) {
      const answer = await send(agent, extra);
      expect(answer.status, JSON.stringify(extra)).toBe(400);
      expect(answer.body.error?.fields.map((field) => field.path)).toContain(path);
      const field = answer.body.error?.fields.find((f) => f.path === path);
      expect(`${path}: ${field?.message}`).toMatch(message);
      expect(answer.body.error?.message.startsWith('body.')).toBe(true);
    }
    expect(await row(agent.deviceId)).toEqual(before);
  });

  it('stores a numbered delta and its number without waiting for the disk; an unnumbered one still waits', async () => {
    const agent = await enrolled();
    const store = server.context.store;
    const durable = store.durableCommits();
    const changed = await send(agent, { facts: { tags: ['relaxed'] }, factsSeq: 1 });
    expect(changed.status).toBe(200);
    expect(changed.body.f).toBeUndefined();
    const after = await row(agent.deviceId);
    expect(after.facts.tags).toEqual(['relaxed']);
    expect(after.facts_seq).toBe(1);
    // SQLite: no WAL fsync was waited for (PostgreSQL: synchronous_commit off; counts stay 0).
    expect(store.durableCommits()).toBe(durable);
    // A delta that changes no fact still stores its number, cheaply (no recompute).
    const same = await send(agent, { facts: { tags: ['relaxed'] }, factsSeq: 2 });
    expect(same.body).toEqual({ s: 'u', n: expect.any(Number) });
    const unchanged = await row(agent.deviceId);
    expect(unchanged.facts_seq).toBe(2);
    expect(unchanged.view_version).toBe(after.view_version);
    expect(store.durableCommits()).toBe(durable);
    expect((await send(agent, { factsSeq: 2 })).body).toEqual({ s: 'u', n: expect.any(Number) });
    // An agent that does not number its facts: committed durably, and the number is unknown.
    await send(agent, { facts: { tags: ['durable'] } });
    if (store.dialect === 'sqlite') expect(store.durableCommits()).toBeGreaterThan(durable);
    const unnumbered = await row(agent.deviceId);
    expect(unnumbered.facts.tags).toEqual(['durable']);
    expect(unnumbered.facts_seq).toBeNull();
  });

  it('asks for all facts when a check-in names a send it does not hold, writing nothing, and signs again after them', async () => {
    const agent = await enrolled();
    const before = await row(agent.deviceId);
    const asked = await requested('number');
    // The agent says it sent facts 3 (the server holds 0): a change it forgot, say.
    const plain = await send(agent, { factsSeq: 3 });
    expect(plain.body).toEqual({ s: 'u', n: expect.any(Number), f: 1 });
    expect(await row(agent.deviceId)).toEqual(before);
    expect(await requested('number')).toBe(asked + 1);
    // All facts, number 4: held, and the configuration is signed again under a newer revision
    // (a revision issued with the forgotten change may have been reused since; see the service).
    const all = linuxFacts(agent.facts.hostname, { tags: ['all-of-them'] });
    const held = agent.revision ?? 0;
    const full = await send(agent, { facts: all, factsSeq: 4, factsFull: true });
    expect(full.body).toMatchObject({ s: 'c' });
    expect(full.body.f).toBeUndefined();
    expect(agent.revision).toBeGreaterThan(held);
    const after = await row(agent.deviceId);
    expect(after.facts).toEqual(all);
    expect(after.facts_seq).toBe(4);
    expect((await send(agent, { factsSeq: 4 })).body).toEqual({ s: 'u', n: expect.any(Number) });
  });

  it('replaces the facts with all of them, dropping a fact the agent no longer has', async () => {
    const agent = await enrolled({ cloudConnector: true });
    const all = linuxFacts(agent.facts.hostname);
    const full = await send(agent, { facts: all, factsSeq: 1, factsFull: true });
    expect(full.status).toBe(200);
    const after = await row(agent.deviceId);
    expect(after.facts).toEqual(all);
    expect(after.facts.cloudConnector).toBeUndefined();
    expect(after.facts_seq).toBe(1);
  });

  it('merges a delta whose base it does not hold, stores no number, asks for all facts, and all facts repair it', async () => {
    const agent = await enrolled();
    const asked = await requested('base');
    const delta = await send(agent, { facts: { tags: ['gap'] }, factsSeq: 5 });
    expect(delta.body.f).toBe(1);
    const merged = await row(agent.deviceId);
    expect(merged.facts.tags).toEqual(['gap']);
    expect(merged.facts_seq).toBeNull();
    expect(await requested('base')).toBe(asked + 1);
    // Until all facts come, every check-in asks for them.
    expect((await send(agent, { factsSeq: 5 })).body.f).toBe(1);
    const all = linuxFacts(agent.facts.hostname, { tags: ['gap', 'repaired'] });
    const full = await send(agent, { facts: all, factsSeq: 6, factsFull: true });
    expect(full.body.f).toBeUndefined();
    const repaired = await row(agent.deviceId);
    expect(repaired.facts).toEqual(all);
    expect(repaired.facts_seq).toBe(6);
    expect((await send(agent, { factsSeq: 6 })).body).toEqual({ s: 'u', n: expect.any(Number) });
  });

  it('answers an agent that does not number its facts as before: a durable change, never asked for all', async () => {
    const agent = await enrolled();
    const store = server.context.store;
    const durable = store.durableCommits();
    const changed = await send(agent, { facts: { tags: ['old-agent'] } });
    expect(changed.status).toBe(200);
    expect(changed.body.f).toBeUndefined();
    if (store.dialect === 'sqlite') expect(store.durableCommits()).toBeGreaterThan(durable);
    expect((await row(agent.deviceId)).facts.tags).toEqual(['old-agent']);
    // Unknown number now, but an agent that names none is never asked.
    expect((await send(agent, {})).body).toEqual({ s: 'u', n: expect.any(Number) });
  });

  it('finds a facts change it forgot (the row put back, the server restarted) and holds all facts again', async () => {
    const agent = await enrolled();
    const before = await row(agent.deviceId);
    const changed = await send(agent, { facts: { tags: ['forgotten'] }, factsSeq: 1 });
    expect(changed.status).toBe(200);
    expect((await row(agent.deviceId)).facts_seq).toBe(1);

    // What a power loss may leave: the row as it was before the change.
    await server.close();
    if (target.kind === 'sqlite') {
      const file = new SqliteDatabase(target.database);
      file
        .prepare('update devices set facts = ?, facts_seq = ? where id = ?')
        .run(JSON.stringify(before.facts), before.facts_seq, agent.deviceId);
      file.close();
    } else {
      const direct = await target.openStore();
      await direct.db
        .updateTable('devices')
        .set({ facts: JSON.stringify(before.facts), facts_seq: before.facts_seq })
        .where('id', '=', agent.deviceId)
        .execute();
    }
    server = await target.startServer();
    admin = await signIn(server.url);
    expect((await row(agent.deviceId)).facts.tags).toEqual([]);

    // The agent's next plain check-in names send 1: the server holds 0, and asks.
    const plain = await send(agent, { factsSeq: 1 });
    expect(plain.body.f).toBe(1);
    const all = linuxFacts(agent.facts.hostname, { tags: ['forgotten'] });
    const full = await send(agent, { facts: all, factsSeq: 2, factsFull: true });
    expect(full.status).toBe(200);
    expect(full.body.f).toBeUndefined();
    const repaired = await row(agent.deviceId);
    expect(repaired.facts).toEqual(all);
    expect(repaired.facts_seq).toBe(2);
  });

  it('after a lost facts change whose revision was issued again for another configuration, signs a newer one (SQLite: the file as it was)', async () => {
    if (target.kind !== 'sqlite') return;
    const team = await admin.post<Created>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Team hosts',
      rule: '(device.displayName -startsWith "TEAM-")',
    });
    const teamPolicy = await admin.post<Created>('/api/v1/policies', {
      name: 'Team antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.realTimeProtection': true },
      assignments: { include: [team.body.id], exclude: [], filter: null },
    });
    expect(teamPolicy.status).toBe(201);
    const agent = await enrolled();
    const start = agent.revision ?? 0;

    // The database as it is before the facts change: what a power loss may bring back.
    await server.close();
    const files = ['', '-wal', '-shm'].map((suffix) => `${target.database}${suffix}`);
    for (const file of files) if (existsSync(file)) copyFileSync(file, `${file}.before`);
    server = await target.startServer();
    admin = await signIn(server.url);
    const moved = await send(agent, { facts: { hostname: 'TEAM-1' }, factsSeq: 1 });
    expect(moved.body).toMatchObject({ s: 'c' });
    expect(agent.revision).toBe(start + 1);
    const forgotten = agent.document?.configuration.hash;

    await server.close();
    for (const file of files) {
      rmSync(file, { force: true });
      if (existsSync(`${file}.before`)) copyFileSync(`${file}.before`, file);
    }
    server = await target.startServer();
    admin = await signIn(server.url);
    expect((await row(agent.deviceId)).revision).toBe(start);
    // Meanwhile an administrator's change issues the same revision with another configuration:
    // the team policy goes, and one for every Linux device comes.
    expect((await admin.delete(`/api/v1/policies/${teamPolicy.body.id}`)).status).toBe(200);
    const linux = await admin.post<Created>('/api/v1/groups', {
      kind: 'dynamic',
      name: 'Every Linux host',
      rule: '(device.deviceOSType -eq "Linux")',
    });
    await admin.post<Created>('/api/v1/policies', {
      name: 'Linux antivirus',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.cloudProtection': true },
      assignments: { include: [linux.body.id], exclude: [], filter: null },
    });
    expect((await row(agent.deviceId)).revision).toBe(start + 1);

    // The agent holds that revision number with the forgotten configuration: the revision alone
    // says "unchanged", the facts number says otherwise.
    const plain = await send(agent, { factsSeq: 1 });
    expect(plain.body).toEqual({ s: 'u', n: expect.any(Number), f: 1 });
    // Its facts change no configuration now (the team policy is gone), yet the configuration is
    // signed under a newer revision, which the agent takes in place of the forgotten one.
    const all = { ...agent.facts, hostname: 'TEAM-1' };
    const full = await send(agent, { facts: all, factsSeq: 2, factsFull: true });
    expect(full.body).toMatchObject({ s: 'c' });
    expect(agent.revision).toBe(start + 2);
    expect(agent.document?.configuration.hash).not.toBe(forgotten);
    expect(agent.document?.configuration.settings.map((setting) => setting.id)).toEqual([
      'antivirus.cloudProtection',
    ]);
    expect((await send(agent, { factsSeq: 2 })).body).toEqual({ s: 'u', n: expect.any(Number) });
  });

  afterAll(async () => {
    await server?.close();
  });
});
