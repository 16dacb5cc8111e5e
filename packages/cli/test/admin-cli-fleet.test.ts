/**
 * The admin CLI's fleet commands against a real `palisade serve` on loopback (SQLite in a
 * temporary directory), run as the built binary in a child process: device filters, a device's
 * effective configuration with its sources, conflicts and per-setting status, group and asset-rule
 * listings, sync of a group and of the whole tenant while simulated agents answer over the real
 * protocol, tenant switches, audit windows, and export → plan of objects made through the REST
 * API with names a document must accept as they are.
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, systemPart } from '../../../testing/system.js';
import {
  linuxFacts,
  type NotifyStream,
  SimulatedAgent,
  windowsFacts,
} from '../../server/test/agent-sim.js';
import { CLI, cliHarness } from './cli-harness.js';

const PASSWORD = 'cli-fleet-test-password';

const cli = cliHarness('palisade-cli-fleet-', PASSWORD);
const { work, configHome, palisade } = cli;
let url = '';
let sessionToken = '';
const agents = new Map<string, SimulatedAgent>();
const streams: NotifyStream[] = [];
const responders: Promise<void>[] = [];
let stopped = false;

async function json<T>(args: readonly string[]): Promise<T> {
  const run = await palisade([...args, '--json']);
  expect(run.stderr).toBe('');
  expect(run.code).toBe(0);
  return JSON.parse(run.stdout) as T;
}

/** A REST call as the portal makes it, with the CLI's session token. */
async function api(method: string, path: string, body?: unknown): Promise<unknown> {
  const response = await fetch(`${url}${path}`, {
    method,
    headers: { authorization: `Bearer ${sessionToken}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const answer = (await response.json()) as unknown;
  if (!response.ok)
    throw new Error(`${method} ${path}: ${response.status} ${JSON.stringify(answer)}`);
  return answer;
}

/** What an agent does on a sync notice: check in with the request id, apply, report. */
async function answerSyncs(agent: SimulatedAgent, stream: NotifyStream): Promise<void> {
  while (!stopped) {
    let syncRequestId: string;
    try {
      const event = await stream.next('sync', 500);
      syncRequestId = (event.data as { syncRequestId: string }).syncRequestId;
    } catch {
      continue; // no sync asked within the wait: look again (until the test ends)
    }
    await agent.checkIn(undefined, syncRequestId);
    await agent.reportAllSucceeded({ syncRequestId });
  }
}

beforeAll(async () => {
  url = await cli.start();
  const login = await palisade(['login', '--server', url, '--user', 'admin', '--password-stdin'], {
    input: PASSWORD,
  });
  expect(login.code).toBe(0);
  sessionToken = JSON.parse(readFileSync(join(configHome, 'palisade', 'session.json'), 'utf8'))
    .token as string;
  const { token } = await json<{ token: string }>(['token', 'create', '--name', 'fleet']);
  const fleet = [
    linuxFacts('lin-web-01'),
    linuxFacts('lin-web-02'),
    linuxFacts('lin-db-01'),
    windowsFacts('win-mdm-01', { mdmManaged: true }),
  ];
  for (const facts of fleet) {
    const agent = new SimulatedAgent(url, facts);
    await agent.enroll(token);
    await agent.checkIn();
    const stream = await agent.notify();
    streams.push(stream);
    responders.push(answerSyncs(agent, stream));
    agents.set(facts.hostname, agent);
  }
}, 120_000);

afterAll(async () => {
  stopped = true;
  await Promise.allSettled(responders);
  for (const stream of streams) stream.close();
  await cli.stop();
});

const hostnames = (list: { items: { hostname: string }[] }) => list.items.map((d) => d.hostname);

describe('devices', () => {
  it('list filters by platform and by enrollment status (code or name)', async () => {
    expect(hostnames(await json(['devices', 'list', '--platform', 'linux']))).toEqual([
      'lin-db-01',
      'lin-web-01',
      'lin-web-02',
    ]);
    expect(hostnames(await json(['devices', 'list', '--platform', 'windows-client']))).toEqual([
      'win-mdm-01',
    ]);
    const mdm = await json<{ items: { hostname: string; enrollment: { code: number } }[] }>([
      'devices',
      'list',
      '--status',
      'Managed-By-MDM',
    ]);
    expect(mdm.items.map((d) => [d.hostname, d.enrollment.code])).toEqual([['win-mdm-01', 54]]);
    expect(hostnames(await json(['devices', 'list', '--status', '1']))).toEqual([
      'lin-db-01',
      'lin-web-01',
      'lin-web-02',
    ]);
    const combined = await json<{ items: { hostname: string }[] }>([
      'devices',
      'list',
      '--platform',
      'linux',
      '--status',
      'managed-by-mdm',
    ]);
    expect(combined.items).toEqual([]);
    const bad = await palisade(['devices', 'list', '--status', 'bogus']);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      /--status: "bogus" is not an enrollment status; use one of: 1 managed/,
    );
  });
});

describe('policies as code on objects made through the REST API', () => {
  it('export → plan shows no changes for names with punctuation and accents', async () => {
    const group = (await api('POST', '/api/v1/groups', {
      kind: 'dynamic',
      name: 'Web servers (Linux)',
      rule: '(device.displayName -startsWith "lin-web")',
    })) as { id: string };
    const linux = (await api('POST', '/api/v1/groups', {
      kind: 'dynamic',
      name: 'Linux: all',
      rule: '(device.deviceOSType -eq "Linux")',
    })) as { id: string };
    await api('POST', '/api/v1/policies', {
      name: 'Web tier: PUA in audit',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.puaProtection': 'audit' },
      assignments: { include: [group.id] },
    });
    await api('POST', '/api/v1/policies', {
      name: 'Linux baseline — Équipe sécurité',
      platform: 'linux',
      profile: 'antivirus',
      settings: { 'antivirus.puaProtection': 'block', 'antivirus.realTimeProtection': true },
      assignments: { include: [linux.id] },
    });
    await api('POST', '/api/v1/asset-rules', {
      name: 'Tag web: internet-facing',
      rule: '(device.deviceName -startsWith "lin-web")',
      tag: 'internet-facing',
    });
    const out = join(work, 'export');
    const exported = await palisade(['export', '--out', out]);
    expect(exported.stderr).toBe('');
    expect(exported.code).toBe(0);
    const plan = await palisade(['plan', '-f', out]);
    expect(plan.stderr).toBe('');
    expect(plan.stdout).toBe('No changes: the tenant matches the documents.\n');
    expect(plan.code).toBe(0);
  });
});

describe('a device as the CLI shows it', () => {
  it('effective configuration: value, source policy and version, status, and the conflict', async () => {
    const web = agents.get('lin-web-01') as SimulatedAgent;
    await web.checkIn();
    await web.report([
      { id: 'antivirus.realTimeProtection', status: 'failed', error: 'mdatp: E42' },
    ]);
    const shown = await palisade(['devices', 'show', web.deviceId]);
    expect(shown.code).toBe(0);
    const lines = shown.stdout.split('\n');
    expect(lines).toContainEqual(
      expect.stringMatching(
        /^antivirus\.realTimeProtection\s+true\s+Linux baseline — Équipe sécurité v1\s+failed: mdatp: E42$/,
      ),
    );
    const conflicts = lines.slice(lines.indexOf('Conflicts (not applied):') + 1);
    expect(conflicts[0]).toMatch(/^ {2}antivirus\.puaProtection: /);
    expect(conflicts[0]).toContain('Web tier: PUA in audit v1 sets audit');
    expect(conflicts[0]).toContain('Linux baseline — Équipe sécurité v1 sets block');
    expect(shown.stdout).toMatch(/^internet-facing\s+asset-rule \(Tag web: internet-facing\)$/m);
    expect(shown.stdout).toMatch(/^Web servers \(Linux\)\s+dynamic$/m);
    // A device outside both policies' groups has neither the setting nor the conflict.
    const db = agents.get('lin-db-01') as SimulatedAgent;
    const dbShown = await palisade(['devices', 'show', db.deviceId]);
    expect(dbShown.stdout).toMatch(/^antivirus\.puaProtection\s+"?block"?\s+Linux baseline/m);
    expect(dbShown.stdout).not.toMatch(/Conflicts/);
  });
});

describe('groups and asset rules', () => {
  it('lists and shows them, refuses to delete a group a policy uses, deletes the rest', async () => {
    const table = await palisade(['groups', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout.split('\n')[0]).toMatch(/^NAME\s+KIND\s+MEMBERS \/ RULE\s+UPDATED/);
    expect(table.stdout).toMatch(/^Web servers \(Linux\)\s+dynamic\s+\(device\.displayName/m);
    const shown = await palisade(['groups', 'show', 'Web servers (Linux)']);
    expect(shown.stdout).toMatch(/^members:\s+2$/m);
    const inUse = await palisade(['groups', 'delete', 'Linux: all']);
    expect(inUse.code).toBe(1);
    expect(inUse.stderr).toMatch(/Linux baseline — Équipe sécurité/);

    const rules = await palisade(['asset-rules', 'list']);
    expect(rules.code).toBe(0);
    expect(rules.stdout).toMatch(/Tag web: internet-facing/);
    const rule = await palisade(['asset-rules', 'show', 'Tag web: internet-facing']);
    expect(rule.code).toBe(0);
    expect(rule.stdout).toMatch(/internet-facing/);
    expect((await palisade(['asset-rules', 'delete', 'Tag web: internet-facing'])).code).toBe(0);
    expect((await palisade(['asset-rules', 'show', 'Tag web: internet-facing'])).code).toBe(1);
    // Deleting the rule takes its tag off the devices it had tagged.
    expect(hostnames(await json(['devices', 'list', '--tag', 'internet-facing']))).toEqual([]);

    await palisade(['apply', '-f', writeGroup('spare', 'lin-db-01'), '--yes']);
    expect((await palisade(['groups', 'delete', 'spare'])).code).toBe(0);
    expect((await palisade(['groups', 'show', 'spare'])).code).toBe(1);
  });
});

function writeGroup(name: string, member: string): string {
  const dir = join(work, `group-${name}`);
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'group.yaml'), `kind: Group\nname: ${name}\nmembers: [${member}]\n`);
  return dir;
}

describe('sync', () => {
  it('--group waits for the members to report back; --all for every device asked', async () => {
    const group = await palisade([
      'sync',
      '--group',
      'Web servers (Linux)',
      '--wait',
      '--timeout',
      '30s',
    ]);
    expect(group.stderr).toBe('');
    expect(group.code).toBe(0);
    expect(group.stdout).toMatch(/: 2 of 2 device\(s\) reported back\.$/m);
    const all = await json<{
      deviceCount: number;
      progress: { reported: number; pending: number };
    }>(['sync', '--all', '--wait', '--timeout', '30s']);
    expect(all.progress.pending).toBe(0);
    expect(all.progress.reported).toBe(all.deviceCount);
    expect(all.deviceCount).toBeGreaterThanOrEqual(3);
    expect((await palisade(['sync', '--group', 'no-such-group'])).code).toBe(1);
  });
});

describe('tenant settings and audit', () => {
  it('settings set changes the switches it names and leaves the rest', async () => {
    const before = await json<Record<string, unknown>>(['settings', 'show']);
    const after = await json<Record<string, unknown>>([
      'settings',
      'set',
      '--config-mgr-authority',
      'on',
      '--cloud-connector',
      'off',
      '--domain-controllers',
      'on',
      '--check-in-interval',
      '30',
    ]);
    const changed = Object.keys(after).filter(
      (key) => JSON.stringify(after[key]) !== JSON.stringify(before[key]),
    );
    expect(changed.length).toBeGreaterThanOrEqual(4);
    expect(JSON.stringify(after.enforcementScope)).toBe(JSON.stringify(before.enforcementScope));
    const table = await palisade(['settings', 'show']);
    expect(table.stdout).toMatch(/^Configuration Manager authority:\s+on$/m);
    expect(table.stdout).toMatch(/^cloud connector devices:\s+off$/m);
    expect(table.stdout).toMatch(/^domain controllers:\s+on$/m);
    expect(table.stdout).toMatch(/^check-in interval:\s+30 minutes$/m);
    expect((await palisade(['settings', 'set', '--cloud-connector', 'maybe'])).code).toBe(2);
    const tooShort = await palisade(['settings', 'set', '--check-in-interval', '2']);
    expect(tooShort.code).toBe(2);
    expect(tooShort.stderr).toMatch(
      /^palisade: --check-in-interval: "2" is not a whole number of minutes from 5 to 1440$/m,
    );
  });

  it('audit --since keeps entries after the time; --action by prefix', async () => {
    const all = await json<{ items: { action: string }[] }>(['audit', '--since', '2000-01-01']);
    expect(all.items.map((e) => e.action)).toContain('tenant-settings.update');
    expect(all.items.map((e) => e.action)).toContain('policy.create');
    const none = await json<{ items: unknown[] }>(['audit', '--since', '2999-01-01T00:00:00Z']);
    expect(none.items).toEqual([]);
    const policies = await json<{ items: { action: string }[] }>([
      'audit',
      '--since',
      '2000-01-01',
      '--action',
      'policy.',
    ]);
    expect(policies.items.length).toBeGreaterThan(0);
    expect(policies.items.every((e) => e.action.startsWith('policy.'))).toBe(true);
  });
});

describe('apply on a terminal', () => {
  const hasScript = systemPart(
    'script (util-linux)',
    hasCommand('script', ['--version']),
    'install util-linux, which gives a pseudo-terminal to run the CLI in',
  );

  /** Runs `palisade apply -f DIR` on a pseudo-terminal, answering its question with `answer`. */
  function applyOnTerminal(
    dir: string,
    answer: string,
  ): Promise<{ code: number | null; output: string }> {
    const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
    const command = [process.execPath, CLI, 'apply', '-f', dir].map(quote).join(' ');
    return new Promise((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, XDG_CONFIG_HOME: configHome, PALISADE_SERVER: undefined },
      });
      let output = '';
      let answered = false;
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
        // Answer once the question is on the screen, as a person would.
        if (!answered && output.includes('Apply these changes? [y/N]')) {
          answered = true;
          child.stdin.write(`${answer}\r`);
        }
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
    });
  }

  it.runIf(hasScript)(
    'shows the plan and asks; "n" applies nothing (exit 1), "y" applies',
    async () => {
      const dir = writeGroup('asked', 'lin-db-01');
      const declined = await applyOnTerminal(dir, 'n');
      expect(declined.output).toMatch(/\+ create Group asked/);
      expect(declined.output).toMatch(/Nothing applied\./);
      expect(declined.code).toBe(1);
      expect((await palisade(['groups', 'show', 'asked'])).code).toBe(1);
      const accepted = await applyOnTerminal(dir, 'y');
      expect(accepted.output).toMatch(/Applied: 1 to create/);
      expect(accepted.code).toBe(0);
      expect((await palisade(['groups', 'show', 'asked'])).code).toBe(0);
    },
  );
});
