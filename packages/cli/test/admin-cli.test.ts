/**
 * The admin CLI against a real `palisade serve` on loopback (SQLite in a temporary directory),
 * run as an administrator runs it: the built binary in a child process, with its own config
 * directory. Devices are enrolled by simulated agents over the real agent protocol, so plans
 * show a real effect (devices reached, configurations changed, conflicts).
 */
import { spawn } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { ConfigPlan } from '@palisade/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hasCommand, systemPart } from '../../../testing/system.js';
import { linuxFacts, SimulatedAgent } from '../../server/test/agent-sim.js';
import { CLI, cliHarness } from './cli-harness.js';

const PASSWORD = 'cli-test-admin-password';

const cli = cliHarness('palisade-cli-', PASSWORD);
const { work, configHome, palisade } = cli;
let url = '';
const agents: SimulatedAgent[] = [];

function write(dir: string, file: string, text: string): string {
  mkdirSync(dir, { recursive: true });
  const path = join(dir, file);
  writeFileSync(path, text);
  return path;
}

/** Every file of an exported directory, by relative path. */
function readTree(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  const walk = (relative: string) => {
    for (const entry of readdirSync(join(dir, relative), { withFileTypes: true })) {
      const path = relative ? `${relative}/${entry.name}` : entry.name;
      if (entry.isDirectory()) walk(path);
      else out[path] = readFileSync(join(dir, path), 'utf8');
    }
  };
  walk('');
  return out;
}

beforeAll(async () => {
  url = await cli.start();
});

afterAll(async () => {
  await cli.stop();
});

const GROUP = `kind: Group
name: linux-servers
rule: (device.deviceOSType -eq "Linux")
`;
const POLICY = `kind: Policy
name: linux-exclusions
platform: linux
profile: antivirus-exclusions
settings:
  exclusions.paths: [/var/lib/postgresql/, /srv/cache/]
assignments:
  include: [linux-servers]
`;
const WEB_RULE = `kind: AssetRule
name: tag-web
rule: (device.deviceName -startsWith "web")
tag: internet-facing
`;

describe('palisade login and sessions', () => {
  it('signs in with --password-stdin and keeps the session in a 0600 file', async () => {
    const run = await palisade(['login', '--server', url, '--user', 'admin', '--password-stdin'], {
      input: `${PASSWORD}\n`,
    });
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^Signed in to http:\/\/127\.0\.0\.1:\d+ as admin \(administrator/);
    const file = join(configHome, 'palisade', 'session.json');
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(configHome, 'palisade')).mode & 0o777).toBe(0o700);
    const session = JSON.parse(readFileSync(file, 'utf8'));
    expect(session).toMatchObject({ server: url, username: 'admin', tenant: 'Default' });
    expect(typeof session.token).toBe('string');
  });

  it('refuses a wrong password (exit 1) and a password it cannot read (exit 2)', async () => {
    const other = join(work, 'other-config');
    const wrong = await palisade(
      ['login', '--server', url, '--user', 'admin', '--password-stdin'],
      { input: 'not-the-password', env: { XDG_CONFIG_HOME: other } },
    );
    expect(wrong.code).toBe(1);
    expect(wrong.stderr).toMatch(/username or password is wrong/);
    const noStdin = await palisade(['login', '--server', url, '--user', 'admin'], {
      env: { XDG_CONFIG_HOME: other },
    });
    expect(noStdin.code).toBe(2);
    expect(noStdin.stderr).toMatch(/--password-stdin/);
  });

  it('uses PALISADE_SERVER / PALISADE_TOKEN, and says how to sign in without them', async () => {
    const other = join(work, 'empty-config');
    const none = await palisade(['policies', 'list'], { env: { XDG_CONFIG_HOME: other } });
    expect(none.code).toBe(2);
    expect(none.stderr).toMatch(/not signed in: run palisade login/);
    const token = JSON.parse(readFileSync(join(configHome, 'palisade', 'session.json'), 'utf8'))
      .token as string;
    const withEnv = await palisade(['whoami', '--json'], {
      env: { XDG_CONFIG_HOME: other, PALISADE_SERVER: url, PALISADE_TOKEN: token },
    });
    expect(withEnv.code).toBe(0);
    expect(JSON.parse(withEnv.stdout)).toMatchObject({ user: { username: 'admin' } });
    const badToken = await palisade(['whoami'], {
      env: { XDG_CONFIG_HOME: other, PALISADE_SERVER: url, PALISADE_TOKEN: 'nope' },
    });
    expect(badToken.code).toBe(1);
    expect(badToken.stderr).toMatch(/not a session token.*run palisade login/);
  });
});

describe('tokens, devices and sync', () => {
  it('creates an onboarding token that devices enroll with, lists and revokes tokens', async () => {
    const created = await palisade([
      'token',
      'create',
      '--name',
      'linux wave 1',
      '--expires',
      '2d',
      '--json',
    ]);
    expect(created.code).toBe(0);
    const answer = JSON.parse(created.stdout) as { token: string; onboardingToken: { id: string } };
    for (const hostname of ['db-01', 'web-01', 'web-02']) {
      const agent = new SimulatedAgent(url, linuxFacts(hostname));
      await agent.enroll(answer.token);
      agents.push(agent);
    }
    const list = await palisade(['token', 'list']);
    expect(list.code).toBe(0);
    expect(list.stdout.split('\n')[0]).toMatch(/^ID\s+NAME\s+HINT\s+STATUS\s+EXPIRES/);
    expect(list.stdout).toMatch(/linux wave 1\s+\S+\s+active/);
    const extra = JSON.parse(
      (await palisade(['token', 'create', '--name', 'spare', '--json'])).stdout,
    ) as { onboardingToken: { id: string } };
    const revoked = await palisade(['token', 'revoke', extra.onboardingToken.id]);
    expect(revoked.code).toBe(0);
    const after = JSON.parse((await palisade(['token', 'list', '--json'])).stdout) as {
      items: { id: string; status: string }[];
    };
    expect(after.items.find((t) => t.id === extra.onboardingToken.id)?.status).toBe('revoked');
    expect((await palisade(['token', 'create', '--name', 'x', '--expires', 'soon'])).code).toBe(2);
  });

  it('lists devices as a table or JSON, filters them, shows and tags one', async () => {
    const table = await palisade(['devices', 'list']);
    expect(table.code).toBe(0);
    const lines = table.stdout.trim().split('\n');
    expect(lines[0]).toMatch(/^ID\s+HOSTNAME\s+PLATFORM\s+ENROLLMENT/);
    expect(lines.slice(1).map((line) => line.split(/\s+/)[1])).toEqual([
      'db-01',
      'web-01',
      'web-02',
    ]);
    const json = JSON.parse(
      (await palisade(['devices', 'list', '--json', '--search', 'web'])).stdout,
    );
    expect(json.items.map((d: { hostname: string }) => d.hostname)).toEqual(['web-01', 'web-02']);
    const id = agents[0]?.deviceId as string;
    const tagged = await palisade(['devices', 'tag', id, '--add', 'pilot']);
    expect(tagged.code).toBe(0);
    expect(tagged.stdout).toMatch(/pilot\s+manual/);
    const byTag = JSON.parse(
      (await palisade(['devices', 'list', '--tag', 'pilot', '--json'])).stdout,
    );
    expect(byTag.items.map((d: { id: string }) => d.id)).toEqual([id]);
    const shown = await palisade(['devices', 'show', id]);
    expect(shown.code).toBe(0);
    expect(shown.stdout).toMatch(/^hostname:\s+db-01$/m);
    expect(shown.stdout).toMatch(/^enrollment:\s+1 /m);
    expect(shown.stdout).toMatch(/Effective configuration/);
    expect((await palisade(['devices', 'tag', id, '--remove', 'pilot'])).code).toBe(0);
    expect((await palisade(['devices', 'show', 'no-such-device'])).code).toBe(1);
    expect((await palisade(['devices', 'tag', id])).code).toBe(2);
  });

  it('sync --wait counts devices as they report back; times out with exit 1', async () => {
    const agent = agents[1] as SimulatedAgent;
    await agent.checkIn();
    const notify = await agent.notify();
    try {
      const waiting = palisade(['sync', '--device', agent.deviceId, '--wait', '--timeout', '20s']);
      // The agent hears of the sync on its notify stream, checks in and reports, as it does.
      const event = await notify.next('sync', 15_000);
      const { syncRequestId } = event.data as { syncRequestId: string };
      await agent.checkIn(undefined, syncRequestId);
      await agent.reportAllSucceeded({ syncRequestId });
      const done = await waiting;
      expect(done.stderr).toBe('');
      expect(done.code).toBe(0);
      expect(done.stdout).toMatch(/1 of 1 device\(s\) reported back\./);
    } finally {
      notify.close();
    }
    const late = await palisade(['sync', '--device', agent.deviceId, '--wait', '--timeout', '1s']);
    expect(late.code).toBe(1);
    expect(late.stderr).toMatch(/timed out after 1s with 1 device\(s\) pending/);
    // Not a terminal: no progress bar, only the outcome.
    expect(late.stdout).not.toMatch(/\/1 devices/);
    expect((await palisade(['sync', '--all', '--device', agent.deviceId])).code).toBe(2);
  });
});

describe('policies as code: export, plan, apply', () => {
  const docs = join(work, 'docs');

  it('export → plan shows no changes on a fresh tenant (exit 0)', async () => {
    const out = join(work, 'export-0');
    expect((await palisade(['export', '--out', out])).code).toBe(0);
    expect(Object.keys(readTree(out))).toEqual(['tenant-settings.yaml']);
    const plan = await palisade(['plan', '-f', out]);
    expect(plan.stdout.trim()).toBe('No changes: the tenant matches the documents.');
    expect(plan.code).toBe(0);
  });

  it('plans the documents with their effect (exit 3), applies them, then plans nothing', async () => {
    write(docs, 'groups.yaml', GROUP);
    write(docs, 'policies.yaml', POLICY);
    write(docs, 'asset-rules.yaml', WEB_RULE);
    const plan = await palisade(['plan', '-f', docs, '--json']);
    expect(plan.code).toBe(3);
    const parsed = JSON.parse(plan.stdout) as ConfigPlan;
    expect(parsed.changes.map((c) => [c.action, c.kind, c.name, c.devices])).toEqual([
      ['create', 'Group', 'linux-servers', { before: 0, after: 3 }],
      ['create', 'AssetRule', 'tag-web', { before: 0, after: 2 }],
      ['create', 'Policy', 'linux-exclusions', { before: 0, after: 3 }],
    ]);
    expect(parsed.effect.devicesChanged).toBe(3);
    expect(parsed.applied).toBe(false);
    // A plan saves nothing.
    expect(JSON.parse((await palisade(['policies', 'list', '--json'])).stdout).items).toEqual([]);
    const applied = await palisade(['apply', '-f', docs, '--yes']);
    expect(applied.stderr).toBe('');
    expect(applied.code).toBe(0);
    expect(applied.stdout).toMatch(
      /^Applied: 3 to create, 0 to update, 0 to replace, 0 to delete\.$/m,
    );
    const again = await palisade(['plan', '-f', docs]);
    expect(again.stdout.trim()).toBe('No changes: the tenant matches the documents.');
    expect(again.code).toBe(0);
  });

  it('round trip: export → plan (no changes) → edit → plan (exact diff) → apply → export', async () => {
    const first = join(work, 'export-1');
    expect((await palisade(['export', '--out', first])).code).toBe(0);
    const tree = readTree(first);
    expect(Object.keys(tree).sort()).toEqual([
      'asset-rules/tag-web.yaml',
      'groups/linux-servers.yaml',
      'policies/linux-exclusions.yaml',
      'tenant-settings.yaml',
    ]);
    expect(tree['policies/linux-exclusions.yaml']).toBe(
      [
        'kind: Policy',
        'name: linux-exclusions',
        'platform: linux',
        'profile: antivirus-exclusions',
        'settings:',
        '  exclusions.paths:',
        '    - /var/lib/postgresql/',
        '    - /srv/cache/',
        'assignments:',
        '  include:',
        '    - linux-servers',
        '',
      ].join('\n'),
    );
    const clean = await palisade(['plan', '-f', first]);
    expect(clean.code).toBe(0);
    expect(clean.stdout.trim()).toBe('No changes: the tenant matches the documents.');

    // Edit: one more exclusion, and a second policy that disagrees with a third one on a setting.
    write(
      join(first, 'policies'),
      'linux-exclusions.yaml',
      tree['policies/linux-exclusions.yaml']?.replace(
        '    - /srv/cache/\n',
        '    - /srv/cache/\n    - /opt/build/\n',
      ) ?? '',
    );
    write(
      join(first, 'policies'),
      'linux-av.yaml',
      [
        'kind: Policy',
        'name: linux-av',
        'platform: linux',
        'profile: antivirus',
        'settings:',
        '  antivirus.scanArchives: true',
        'assignments:',
        '  include: [linux-servers]',
        '---',
        'kind: Policy',
        'name: linux-av-web',
        'platform: linux',
        'profile: antivirus',
        'settings:',
        '  antivirus.scanArchives: false',
        'assignments:',
        '  include: [linux-servers]',
        '  filter: { mode: include, rule: (device.deviceName -startsWith "web") }',
        '',
      ].join('\n'),
    );
    const plan = await palisade(['plan', '-f', first]);
    expect(plan.stderr).toBe('');
    expect(plan.code).toBe(3);
    const lines = plan.stdout.split('\n');
    expect(lines).toContain('+ create Policy linux-av (reaches 3 devices)');
    expect(lines).toContain('    + settings.antivirus.scanArchives: true');
    expect(lines).toContain('+ create Policy linux-av-web (reaches 2 devices)');
    expect(lines).toContain('~ update Policy linux-exclusions (reaches 3 devices)');
    expect(lines).toContain(
      '    ~ settings.exclusions.paths: ["/var/lib/postgresql/","/srv/cache/"] → ["/var/lib/postgresql/","/srv/cache/","/opt/build/"]',
    );
    expect(lines).toContain(
      'Effect: 3 device(s) get a new configuration, 0 change enrollment status.',
    );
    expect(lines).toContain('Conflicts appearing (2):');
    expect(plan.stdout).toMatch(
      /^ {2}web-01 antivirus\.scanArchives: (linux-av sets true, linux-av-web sets false|linux-av-web sets false, linux-av sets true)$/m,
    );
    expect(lines).toContain('Plan: 2 to create, 1 to update, 0 to replace, 0 to delete.');
    const json = JSON.parse((await palisade(['plan', '-f', first, '--json'])).stdout) as ConfigPlan;
    const update = json.changes.find((c) => c.name === 'linux-exclusions');
    expect(update?.settings).toEqual([
      {
        settingId: 'exclusions.paths',
        kind: 'changed',
        before: ['/var/lib/postgresql/', '/srv/cache/'],
        after: ['/var/lib/postgresql/', '/srv/cache/', '/opt/build/'],
      },
    ]);
    expect(update?.fields).toEqual([]);
    expect(json.effect.conflictsAppearing.map((c) => c.hostname).sort()).toEqual([
      'web-01',
      'web-02',
    ]);

    const applied = await palisade(['apply', '-f', first, '--yes']);
    expect(applied.code).toBe(0);
    const second = join(work, 'export-2');
    expect((await palisade(['export', '--out', second])).code).toBe(0);
    const exported = readTree(second);
    expect(exported['policies/linux-exclusions.yaml']).toMatch(/- \/opt\/build\/\n/);
    expect(Object.keys(exported).sort()).toEqual([
      'asset-rules/tag-web.yaml',
      'groups/linux-servers.yaml',
      'policies/linux-av-web.yaml',
      'policies/linux-av.yaml',
      'policies/linux-exclusions.yaml',
      'tenant-settings.yaml',
    ]);
    expect((await palisade(['plan', '-f', second])).code).toBe(0);
    // Exporting again over the directory needs --force; the result is byte-identical.
    expect((await palisade(['export', '--out', second])).code).toBe(2);
    expect((await palisade(['export', '--out', second, '--force'])).code).toBe(0);
    expect(readTree(second)).toEqual(exported);
    // The policy's history has the apply as its second version.
    const versions = JSON.parse(
      (await palisade(['policies', 'versions', 'linux-exclusions', '--json'])).stdout,
    );
    expect(versions.items.map((v: { version: number }) => v.version)).toEqual([2, 1]);
    const diff = await palisade(['policies', 'diff', 'linux-exclusions', '1', '2']);
    expect(diff.stdout).toMatch(/~ exclusions\.paths: .* → .*\/opt\/build\//);
  });

  it('a failing apply changes nothing and points at the file and line', async () => {
    const before = join(work, 'export-before-fail');
    await palisade(['export', '--out', before]);
    const auditBefore = JSON.parse((await palisade(['audit', '--json', '--limit', '500'])).stdout)
      .total as number;
    const bad = join(work, 'bad');
    write(bad, 'groups.yaml', `${GROUP}---\nkind: Group\nname: new-group\nmembers: [db-01]\n`);
    const policyFile = write(
      bad,
      'policies.yaml',
      POLICY.replace('/srv/cache/]', '/srv/cache/, /tmp/x/]').replace(
        'include: [linux-servers]',
        'include: [linux-servers, no-such-group]',
      ),
    );
    const applied = await palisade(['apply', '-f', bad, '--yes', '--prune']);
    expect(applied.code).toBe(1);
    expect(applied.stderr).toContain(
      `${policyFile}:8: assignments.include[1]: no group no-such-group: add a Group document or create the group first`,
    );
    expect(applied.stderr).toMatch(/nothing was changed/);
    const after = join(work, 'export-after-fail');
    await palisade(['export', '--out', after]);
    expect(readTree(after)).toEqual(readTree(before));
    const auditAfter = JSON.parse((await palisade(['audit', '--json', '--limit', '500'])).stdout)
      .total as number;
    expect(auditAfter).toBe(auditBefore);
  });

  it('validates offline first: every problem with file and line, nothing sent (exit 1)', async () => {
    const bad = join(work, 'invalid');
    const file = write(
      bad,
      'all.yaml',
      [
        'kind: Policy',
        'name: broken',
        'platform: linux',
        'profile: antivirus',
        'settings:',
        '  antivirus.scanArchives: "yes"',
        '---',
        'kind: Group',
        'name: g',
        '',
      ].join('\n'),
    );
    const plan = await palisade(['plan', '-f', bad]);
    expect(plan.code).toBe(1);
    expect(plan.stderr).toContain(
      `${file}:6: settings.antivirus.scanArchives: must be true or false`,
    );
    expect(plan.stderr).toContain(`${file}:8: a group needs a rule`);
    expect((await palisade(['plan'])).code).toBe(2);
    expect((await palisade(['plan', '-f', join(work, 'missing')])).code).toBe(2);
  });

  it('--prune deletes what the documents no longer name', async () => {
    const dir = join(work, 'pruned');
    write(
      dir,
      'all.yaml',
      `${GROUP}---\n${POLICY.replace('/srv/cache/]', '/srv/cache/, /opt/build/]')}`,
    );
    const kept = await palisade(['plan', '-f', dir]);
    expect(kept.code).toBe(0);
    expect(kept.stdout).toMatch(
      /Not in the documents, kept \(--prune deletes them\): AssetRule tag-web, Policy linux-av, Policy linux-av-web/,
    );
    const plan = JSON.parse(
      (await palisade(['plan', '-f', dir, '--prune', '--json'])).stdout,
    ) as ConfigPlan;
    expect(plan.changes.map((c) => `${c.action} ${c.kind} ${c.name}`)).toEqual([
      'delete AssetRule tag-web',
      'delete Policy linux-av',
      'delete Policy linux-av-web',
    ]);
    expect(plan.effect.conflictsResolved.length).toBe(2);
    expect((await palisade(['apply', '-f', dir, '--prune', '--yes'])).code).toBe(0);
    const policies = JSON.parse((await palisade(['policies', 'list', '--json'])).stdout);
    expect(policies.items.map((p: { name: string }) => p.name)).toEqual(['linux-exclusions']);
    expect((await palisade(['apply', '-f', dir])).code).toBe(2);
  });
});

describe('listings and exit codes', () => {
  it('prints tables, or --json for scripts', async () => {
    const table = await palisade(['policies', 'list']);
    expect(table.code).toBe(0);
    expect(table.stdout).toMatch(/^NAME\s+PLATFORM\s+PROFILE\s+VERSION\s+SETTINGS\s+UPDATED\n/);
    expect(table.stdout).toMatch(/^linux-exclusions\s+linux\s+antivirus-exclusions\s+2\s+1\s/m);
    const json = JSON.parse((await palisade(['policies', 'list', '--json'])).stdout);
    expect(json.total).toBe(1);
    expect(json.items[0]).toMatchObject({ name: 'linux-exclusions', version: 2 });
    const groups = await palisade(['groups', 'show', 'linux-servers']);
    expect(groups.stdout).toMatch(/^members:\s+3$/m);
    const settings = JSON.parse((await palisade(['settings', 'show', '--json'])).stdout);
    expect(settings.enforcementScope.linux).toEqual({ mode: 'all' });
    const audit = await palisade(['audit', '--since', '1h', '--action', 'policy.']);
    expect(audit.stdout.split('\n')[0]).toMatch(/^WHEN\s+WHO\s+ACTION\s+OBJECT/);
  });

  it('exits 0 ok, 1 failure, 2 bad usage', async () => {
    expect((await palisade(['policies', 'show', 'no-such-policy'])).code).toBe(1);
    expect((await palisade(['policies', 'list', '--no-such-option'])).code).toBe(2);
    expect((await palisade(['policies', 'diff', 'linux-exclusions', 'one', '2'])).code).toBe(2);
    expect((await palisade(['audit', '--since', 'yesterday-ish'])).code).toBe(2);
    expect((await palisade(['settings', 'set', '--scope', 'linux=sometimes'])).code).toBe(2);
    const changed = await palisade([
      'settings',
      'set',
      '--scope',
      'macos=tagged:MDE-Management',
      '--json',
    ]);
    expect(changed.code).toBe(0);
    expect(JSON.parse(changed.stdout).enforcementScope.macos).toEqual({
      mode: 'tagged',
      tag: 'MDE-Management',
    });
    const revert = await palisade(['policies', 'revert', 'linux-exclusions', '1']);
    expect(revert.code).toBe(0);
    expect(revert.stdout).toMatch(/reverted to version 1, saved as version 3/);
  });

  it("lists a group's devices by group name, then logs out and forgets the session", async () => {
    const members = JSON.parse(
      (await palisade(['devices', 'list', '--group', 'linux-servers', '--json'])).stdout,
    );
    expect(members.items.map((d: { hostname: string }) => d.hostname)).toEqual([
      'db-01',
      'web-01',
      'web-02',
    ]);
    expect((await palisade(['devices', 'list', '--group', 'no-such-group'])).code).toBe(1);
    const out = await palisade(['logout']);
    expect(out.code).toBe(0);
    expect(out.stdout).toBe(`Signed out of ${url}.\n`);
    expect(() => statSync(join(configHome, 'palisade', 'session.json'))).toThrow();
    expect((await palisade(['whoami'])).code).toBe(2);
  });
});

describe('on a terminal', () => {
  const hasScript = systemPart(
    'script (util-linux)',
    hasCommand('script', ['--version']),
    'install util-linux, which gives a pseudo-terminal to run the CLI in',
  );
  it.runIf(hasScript)('draws the sync progress bar only on a terminal', async () => {
    // The session ended with logout above: sign in again.
    await palisade(['login', '--server', url, '--user', 'admin', '--password-stdin'], {
      input: PASSWORD,
    });
    const token = (await palisade(['token', 'create', '--name', 'tty', '--json'])).stdout;
    const agent = new SimulatedAgent(url, linuxFacts('tty-01'));
    await agent.enroll(JSON.parse(token).token as string);
    const quote = (arg: string) => `'${arg.replaceAll("'", "'\\''")}'`;
    const command = [
      process.execPath,
      CLI,
      'sync',
      '--device',
      agent.deviceId,
      '--wait',
      '--timeout',
      '1s',
    ]
      .map(quote)
      .join(' ');
    const run = await new Promise<{ code: number | null; output: string }>((resolve, reject) => {
      const child = spawn('script', ['-qec', command, '/dev/null'], {
        env: { ...process.env, XDG_CONFIG_HOME: configHome, PALISADE_SERVER: undefined },
      });
      let output = '';
      child.stdout.on('data', (chunk: Buffer) => {
        output += chunk.toString();
      });
      child.on('error', reject);
      child.on('close', (code) => resolve({ code, output }));
      child.stdin.end();
    });
    expect(run.output).toMatch(/reported back .* 0\/1 devices/);
    expect(run.output).toMatch(/timed out after 1s/);
    expect(run.code).toBe(1);
  });
});
