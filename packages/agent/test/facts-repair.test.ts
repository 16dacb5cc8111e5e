/**
 * The agent's facts numbers against the real server on loopback, on a real SQLite file: the
 * server commits a facts change without waiting for the disk, so a power loss may forget it.
 * Here the device's row is put back as it was before the change (in the file, the server
 * stopped), and the server restarted on it: at the agent's next sync the server asks for all of
 * its facts, the agent sends them at once, and the server holds them again.
 */
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { DeviceFacts } from '@palisade/core';
import { openStore, type RunningServer, startServer } from '@palisade/server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeviceAgent } from '../src/checkin/device-agent.js';
import { AgentState } from '../src/state/agent-state.js';

const PASSWORD = 'facts-repair-password-1';

describe('palisade-agent facts numbers against the server', () => {
  let dir: string;
  let database: string;
  let server: RunningServer;
  let agent: DeviceAgent;
  let factsFile: string;
  let deviceId: string;

  const serve = (port = 0) =>
    startServer({
      database,
      port,
      host: '127.0.0.1',
      adminPassword: PASSWORD,
      logLevel: 'silent',
      webRoot: null,
    });

  const deviceRow = async () => {
    const row = await server.context.store.db
      .selectFrom('devices')
      .select(['facts', 'facts_seq'])
      .where('id', '=', deviceId)
      .executeTakeFirstOrThrow();
    return { facts: JSON.parse(row.facts) as DeviceFacts, factsSeq: row.facts_seq };
  };

  const writeFacts = (extra: Record<string, unknown>) =>
    writeFileSync(
      factsFile,
      JSON.stringify({
        hostname: 'repair-01',
        platform: 'linux',
        osVersion: '12',
        domain: null,
        ...extra,
      }),
    );

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'palisade-facts-repair-'));
    database = join(dir, 'palisade.sqlite');
    server = await serve();
    const login = await fetch(`${server.url}/api/v1/auth/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ username: 'admin', password: PASSWORD }),
    });
    const session = ((await login.json()) as { token: string }).token;
    const created = await fetch(`${server.url}/api/v1/onboarding-tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${session}` },
      body: JSON.stringify({ description: 'facts repair' }),
    });
    const token = ((await created.json()) as { token: string }).token;
    factsFile = join(dir, 'facts.json');
    writeFacts({ tags: ['before'] });
    agent = new DeviceAgent(new AgentState(join(dir, 'state')), {
      root: join(dir, 'root'),
      drivers: ['mdatp'],
      factsFile,
    });
    deviceId = (await agent.enroll(server.url, token)).enrollment.deviceId;
  });

  afterAll(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('sends all of its facts when the server forgot a facts change, and the server holds them', async () => {
    // Enrolled: the server holds the facts sent with enroll, number 0.
    const enrolled = await deviceRow();
    expect(enrolled.factsSeq).toBe(0);
    expect(enrolled.facts.tags).toEqual(['before']);

    writeFacts({ tags: ['after'] });
    await agent.sync();
    expect(await deviceRow()).toMatchObject({ factsSeq: 1, facts: { tags: ['after'] } });

    // A power loss took that commit: the row is what it was before it.
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
    expect((await deviceRow()).facts.tags).toEqual(['before']);

    // Nothing changed on the machine: the agent's sync sends no facts, only its number (1)…
    await agent.sync();
    // …which the server does not hold: asked, the agent sent all of them at once.
    const sent = await agent.state.loadSentFacts();
    expect(sent).toMatchObject({ seq: 2, resend: false });
    const repaired = await deviceRow();
    expect(repaired.factsSeq).toBe(2);
    expect(repaired.facts).toEqual(sent?.facts);
    expect(repaired.facts.tags).toEqual(['after']);
    expect(readFileSync(agent.state.logFile, 'utf8')).toContain(
      "the server does not hold this machine's latest facts (number 1)",
    );
    // And from then on, a plain sync changes nothing.
    await agent.sync();
    expect(await deviceRow()).toEqual(repaired);
    expect((await agent.state.loadSentFacts())?.seq).toBe(2);
  });
});
