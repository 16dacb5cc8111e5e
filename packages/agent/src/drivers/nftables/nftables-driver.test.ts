/**
 * nftables for real, inside a private network namespace: a `sleep` started with `unshare -n` holds
 * the namespace, and the driver's nft commands run in it through `nsenter`. The machine's own
 * ruleset is never touched.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { systemPart } from '../../../../../testing/system.js';
import { type CommandRunner, runCommand } from '../commands.js';
import { contextIn, expectGolden, settingsOf, tempRoot } from '../test-support.js';
import { nftRulesOf, parseNftJson } from './nft-ruleset.js';
import { NFT_SCRIPT_FILE, NftablesDriver } from './nftables-driver.js';

const canUnshare =
  spawnSync('unshare', ['-n', '--', 'nft', 'list', 'ruleset'], { stdio: 'ignore' }).status === 0;
const available = systemPart(
  'nft in a private network namespace',
  canUnshare,
  'apt-get install nftables util-linux, and run the tests as root',
);

const RULES = [
  {
    name: 'ssh from the admin networks',
    direction: 'in',
    action: 'allow',
    protocol: 'tcp',
    localPorts: ['22'],
    remoteAddresses: ['10.0.0.0/8', '2001:db8::/32'],
  },
  {
    name: 'web',
    direction: 'in',
    action: 'allow',
    protocol: 'tcp',
    localPorts: ['443', '8000-8080'],
  },
  {
    name: 'no outbound dns to the internet',
    direction: 'out',
    action: 'block',
    protocol: 'udp',
    remotePorts: ['53'],
    remoteAddresses: ['192.0.2.1-192.0.2.9'],
  },
  { name: 'ping', direction: 'in', action: 'allow', protocol: 'icmp' },
  {
    name: 'echo and unreachable from the admin networks',
    direction: 'in',
    action: 'allow',
    protocol: 'icmp',
    icmpTypes: ['8:*', '0:*', '3:4', '11:1'],
    remoteAddresses: ['10.0.0.0/8'],
  },
  {
    name: 'neighbour discovery',
    direction: 'out',
    action: 'allow',
    protocol: 'icmpv6',
    icmpTypes: ['135:*', '1:4', '200:7'],
  },
  {
    name: 'every icmpv6 message',
    direction: 'in',
    action: 'allow',
    protocol: 'icmpv6',
    icmpTypes: ['*'],
  },
  { name: 'no telnet', direction: 'in', action: 'block', protocol: 'tcp', localPorts: ['23'] },
  { name: 'switched off', direction: 'in', action: 'block', enabled: false },
];

describe.runIf(available)('NftablesDriver in a private network namespace', () => {
  let holder: ChildProcess;
  let run: CommandRunner;
  const root = tempRoot();

  beforeAll(() => {
    holder = spawn('unshare', ['-n', '--', 'sleep', '600'], { stdio: 'ignore' });
    const pid = String(holder.pid);
    run = (command, args, options) =>
      runCommand('nsenter', ['-t', pid, '-n', '--', command, ...args], options);
  });

  afterAll(() => {
    holder.kill('SIGKILL');
  });

  it('loads the inet palisade table and reads every rule back', async () => {
    const driver = new NftablesDriver();
    const outcome = await driver.apply(
      settingsOf({ 'firewall.rules': RULES }),
      contextIn(root, {}, { run }),
    );
    expect(outcome.results).toEqual([
      { id: 'firewall.rules', status: 'succeeded', target: 'nftables' },
    ]);
    expectGolden(
      join(import.meta.dirname, 'golden', 'palisade.nft'),
      readFileSync(join(root, NFT_SCRIPT_FILE), 'utf8'),
    );
    const listing = await run('nft', ['-j', 'list', 'table', 'inet', 'palisade']);
    const names = parseNftJson(listing.stdout).rules.map((rule) => rule.name);
    expect(names.sort()).toEqual([
      // Types alone and type:code pairs are one nft rule each.
      'echo and unreachable from the admin networks',
      'echo and unreachable from the admin networks',
      'every icmpv6 message',
      'neighbour discovery',
      'neighbour discovery',
      'no outbound dns to the internet',
      'no telnet',
      'ping',
      'ssh from the admin networks',
      'ssh from the admin networks',
      'web',
    ]);
  });

  it('reports rules removed by hand as drifted and loads them again', async () => {
    const driver = new NftablesDriver();
    const settings = settingsOf({ 'firewall.rules': RULES });
    const first = await driver.apply(settings, contextIn(root, {}, { run }));
    await run('nft', ['flush', 'chain', 'inet', 'palisade', 'input']);
    const second = await driver.apply(settings, contextIn(root, first.applied, { run }));
    const result = second.results[0];
    expect(result?.status).toBe('drifted');
    const observed = (result?.observed ?? []) as { name: string }[];
    expect(observed.map((rule) => rule.name)).toEqual([
      'no outbound dns to the internet',
      'neighbour discovery',
      'neighbour discovery',
    ]);
    const listing = await run('nft', ['-j', 'list', 'table', 'inet', 'palisade']);
    expect(parseNftJson(listing.stdout).rules).toHaveLength(11);
  });

  it('leaves the table and its script at the previous version when nft refuses the rules', async () => {
    const driver = new NftablesDriver();
    const first = await driver.apply(
      settingsOf({ 'firewall.rules': RULES }),
      contextIn(root, {}, { run }),
    );
    const script = readFileSync(join(root, NFT_SCRIPT_FILE), 'utf8');
    const broken = [
      { name: 'bad address', direction: 'in', action: 'allow', remoteAddresses: ['300.1.1.1'] },
    ];
    const outcome = await driver.apply(
      settingsOf({ 'firewall.rules': broken }),
      contextIn(root, first.applied, { run }),
    );
    expect(outcome.results[0]?.status).toBe('failed');
    expect(outcome.results[0]?.error).toMatch(/nft refused the ruleset/);
    expect(readFileSync(join(root, NFT_SCRIPT_FILE), 'utf8')).toBe(script);
    const listing = await run('nft', ['-j', 'list', 'table', 'inet', 'palisade']);
    expect(parseNftJson(listing.stdout).rules).toHaveLength(11);
  });

  it('refuses a rule nftables cannot express instead of widening it', async () => {
    const driver = new NftablesDriver();
    const byProgram = [{ name: 'app', direction: 'out', action: 'allow', program: 'C:\\app.exe' }];
    const outcome = await driver.apply(
      settingsOf({ 'firewall.rules': byProgram }),
      contextIn(root, {}, { run }),
    );
    expect(outcome.results).toEqual([
      {
        id: 'firewall.rules',
        status: 'failed',
        target: 'nftables',
        error: 'firewall rule app: nftables cannot match a program',
      },
    ]);
  });
});

describe('firewall rules as nft rules (no nft needed)', () => {
  it("splits ICMP types from type:code pairs, and reads nft's names back as numbers", () => {
    const rules = nftRulesOf({
      name: 'icmp',
      direction: 'in',
      action: 'allow',
      protocol: 'icmp',
      icmpTypes: ['8:*', '3:4'],
    });
    expect(rules.map((rule) => rule.icmp)).toEqual([['8'], ['3:4']]);
    const listing = {
      nftables: [
        {
          rule: {
            chain: 'input',
            comment: 'icmp',
            expr: [
              {
                match: {
                  op: '==',
                  left: {
                    concat: [
                      { payload: { protocol: 'icmp', field: 'type' } },
                      { payload: { protocol: 'icmp', field: 'code' } },
                    ],
                  },
                  right: { set: [{ concat: ['destination-unreachable', 'frag-needed'] }] },
                },
              },
              { accept: null },
            ],
          },
        },
      ],
    };
    expect(parseNftJson(JSON.stringify(listing)).rules).toEqual([rules[1]]);
  });

  it('refuses the Windows-only fields rather than widening the rule', () => {
    const rule = { name: 'app', direction: 'in', action: 'allow' };
    expect(() => nftRulesOf({ ...rule, packageFamilyName: 'Contoso.App_8wekyb3d8bbwe' })).toThrow(
      'firewall rule app: nftables cannot match a packageFamilyName',
    );
    expect(() => nftRulesOf({ ...rule, edgeTraversal: true })).toThrow(
      'firewall rule app: nftables has no edge traversal',
    );
    expect(nftRulesOf({ ...rule, edgeTraversal: false })).toHaveLength(1);
  });
});
