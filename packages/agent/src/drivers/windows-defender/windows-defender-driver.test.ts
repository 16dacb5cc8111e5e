import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { catalogNativeMapping } from '../catalog.js';
import type { CommandRunner } from '../commands.js';
import { contextIn, expectGolden, settingsOf, tempRoot } from '../test-support.js';
import { renderApplyScript } from './apply-script.js';
import { packageSidOf } from './package-sid.js';
import { WindowsDefenderDriver } from './windows-defender-driver.js';
import { parseReadBack, READ_BACK_SCRIPT, WindowsCodec } from './windows-state.js';

const here = import.meta.dirname;
/** The read-back script's JSON, in the shape ConvertTo-Json prints (a single rule as an object). */
const readBack = readFileSync(join(here, 'fixtures', 'read-back.json'), 'utf8');

/** Microsoft's own example of a package SID: the AppContainer SID of Cortana's package. */
const CORTANA_SID =
  'S-1-15-2-1861897761-1695161497-2927542615-642690995-327840285-2659745135-2630312742';

/** Rules with the Windows-only fields of the Firewall CSP. */
const WINDOWS_FIELD_RULES = [
  {
    name: 'ping on wired and wireless networks',
    direction: 'in',
    action: 'allow',
    protocol: 'icmpv6',
    icmpTypes: ['128:*', '1:4'],
    interfaceTypes: ['lan', 'wireless'],
    edgeTraversal: true,
  },
  {
    name: 'search app for the administrators',
    direction: 'out',
    action: 'block',
    localUserAuthorizedList: 'D:(A;;CC;;;S-1-5-32-544)',
    remoteAddressDynamicKeywords: ['{01234567-89AB-CDEF-0123-456789ABCDEF}'],
    packageFamilyName: 'Microsoft.Windows.Cortana_cw5n1h2txyewy',
    policyAppId: 'Contoso.Search:1',
  },
];

const POLICY = settingsOf({
  'antivirus.realTimeProtection': true,
  'antivirus.cloudProtection': true,
  'antivirus.puaProtection': 'audit',
  'antivirus.cloudBlockLevel': 'high',
  'edr.deviceTag': 'finance-laptops',
  'exclusions.paths': ['C:\\Data\\', "C:\\Users\\o'brien\\cache"],
  'exclusions.extensions': ['.log'],
  'asr.rules': {
    '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2': 'block',
    '56a863a9-875e-4185-98a7-b882c64b5ce5': 'warn',
  },
  'firewall.rules': [
    {
      name: 'rdp from the jump hosts',
      direction: 'in',
      action: 'allow',
      protocol: 'tcp',
      localPorts: ['3389'],
      remoteAddresses: ['10.10.0.0/16'],
      profiles: ['domain', 'private'],
    },
    {
      name: 'block telnet',
      direction: 'out',
      action: 'block',
      protocol: 'tcp',
      remotePorts: ['23'],
      program: 'C:\\Tools\\client.exe',
    },
    ...WINDOWS_FIELD_RULES,
  ],
});

/** The rules as the read-back script prints them once the apply script created them. */
const WINDOWS_FIELD_READ_BACK = [
  {
    DisplayName: 'ping on wired and wireless networks',
    Direction: 'Inbound',
    Action: 'Allow',
    Enabled: 'True',
    Profile: 'Any',
    Protocol: 'ICMPv6',
    LocalPort: ['Any'],
    RemotePort: ['Any'],
    LocalAddress: ['Any'],
    RemoteAddress: ['Any'],
    Program: 'Any',
    Service: 'Any',
    IcmpType: ['128', '1:4'],
    InterfaceType: 'Wired, Wireless',
    EdgeTraversalPolicy: 'Allow',
    LocalUser: 'Any',
    RemoteDynamicKeywordAddresses: [],
    Package: '',
    PolicyAppId: '',
  },
  {
    DisplayName: 'search app for the administrators',
    Direction: 'Outbound',
    Action: 'Block',
    Enabled: 'True',
    Profile: 'Any',
    Protocol: 'Any',
    LocalPort: ['Any'],
    RemotePort: ['Any'],
    LocalAddress: ['Any'],
    RemoteAddress: ['Any'],
    Program: 'Any',
    Service: 'Any',
    IcmpType: ['Any'],
    InterfaceType: 'Any',
    EdgeTraversalPolicy: 'Block',
    LocalUser: 'D:(A;;CC;;;S-1-5-32-544)',
    RemoteDynamicKeywordAddresses: ['{01234567-89ab-cdef-0123-456789abcdef}'],
    Package: CORTANA_SID,
    PolicyAppId: 'Contoso.Search:1',
  },
];

describe('Windows Defender driver', () => {
  const codec = new WindowsCodec(catalogNativeMapping);
  const current = parseReadBack(readBack);

  it('parses the read-back: preferences, ASR pairs and the Palisade firewall rules', () => {
    expect(codec.observe(current, 'antivirus.realTimeProtection')).toBe(true);
    expect(codec.observe(current, 'exclusions.extensions')).toEqual(['tmp']);
    expect(codec.observe(current, 'exclusions.paths')).toEqual([]);
    expect(codec.observe(current, 'edr.deviceTag')).toBeUndefined();
    expect(codec.observe(current, 'asr.rules')).toEqual([
      '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2=1',
      'd4f940ab-401b-4efc-aadc-ad5f3c50688a=2',
    ]);
    expect(current.firewallRules).toEqual([
      {
        name: 'rdp from the jump hosts',
        direction: 'in',
        action: 'allow',
        enabled: true,
        protocol: 'tcp',
        localPorts: ['3389'],
        remotePorts: [],
        localAddresses: [],
        remoteAddresses: ['10.10.0.0/16'],
        profiles: ['domain', 'private'],
        program: null,
        service: null,
        icmpTypes: [],
        interfaceTypes: [],
        edgeTraversal: 'Block',
        localUser: null,
        remoteDynamicKeywords: [],
        package: null,
        policyAppId: null,
      },
    ]);
  });

  it('derives a Store app package SID from its package family name, as Windows does', () => {
    expect(packageSidOf('Microsoft.Windows.Cortana_cw5n1h2txyewy')).toBe(CORTANA_SID);
    expect(packageSidOf('microsoft.windows.cortana_CW5N1H2TXYEWY')).toBe(CORTANA_SID);
  });

  it('reads the Windows-only rule fields back as it writes them', () => {
    const machine = JSON.parse(readBack) as Record<string, unknown>;
    machine.firewallRules = WINDOWS_FIELD_READ_BACK;
    const state = parseReadBack(JSON.stringify(machine));
    const wanted = codec.fragment({
      id: 'firewall.rules',
      value: WINDOWS_FIELD_RULES,
      sources: [],
    });
    expect(codec.observe(state, 'firewall.rules')).toEqual(wanted);
    expect(state.firewallRules[0]).toMatchObject({
      icmpTypes: ['128', '1:4'],
      interfaceTypes: ['Wired', 'Wireless'],
      edgeTraversal: 'Allow',
    });
    expect(state.firewallRules[1]).toMatchObject({
      localUser: 'D:(A;;CC;;;S-1-5-32-544)',
      remoteDynamicKeywords: ['{01234567-89ab-cdef-0123-456789abcdef}'],
      package: CORTANA_SID,
      policyAppId: 'Contoso.Search:1',
    });
  });

  it('refuses a rule PowerShell cannot express instead of widening it', () => {
    const rule = { name: 'signed app', direction: 'out', action: 'allow' };
    expect(() =>
      codec.fragment({
        id: 'firewall.rules',
        value: [{ ...rule, fqbn: 'O=CONTOSO, C=US\\APP\\APP.EXE\\*' }],
        sources: [],
      }),
    ).toThrow(
      'firewall rule signed app: New-NetFirewallRule cannot match a fully qualified binary name (fqbn)',
    );
    expect(() =>
      codec.fragment({
        id: 'firewall.rules',
        value: [{ ...rule, interfaceTypes: ['lan', 'mobile-broadband'] }],
        sources: [],
      }),
    ).toThrow(
      'firewall rule signed app: New-NetFirewallRule has no interface type for mobile-broadband',
    );
  });

  it('renders the PowerShell apply script (golden) from the policy and the current state', () => {
    const fragments = new Map(POLICY.map((setting) => [setting.id, codec.fragment(setting)]));
    const desired = codec.render(fragments, current);
    const script = renderApplyScript(desired, current);
    expectGolden(join(here, 'golden', 'apply.ps1'), script);
    // The ASR rule the policy no longer sets is removed; quotes are escaped PowerShell's way.
    expect(script).toContain(
      "Remove-MpPreference -AttackSurfaceReductionRules_Ids @('d4f940ab-401b-4efc-aadc-ad5f3c50688a')",
    );
    expect(script).toContain("'C:\\Users\\o''brien\\cache'");
  });

  it('judges a read-back that holds the policy as applied', () => {
    const fragments = new Map(POLICY.map((setting) => [setting.id, codec.fragment(setting)]));
    const desired = codec.render(fragments, current);
    // The fixture's rule (read back with a mask) equals the policy's rule (a prefix length).
    const rdp = (fragments.get('firewall.rules') as unknown as { name: string }[]).find((r) =>
      r.name.startsWith('rdp'),
    );
    expect(current.firewallRules[0]).toEqual(rdp);
    for (const setting of POLICY) {
      expect(codec.observe(desired, setting.id), setting.id).toEqual(fragments.get(setting.id));
    }
  });

  it('fails every setting with the native error where PowerShell cannot run, changing nothing', async () => {
    const driver = new WindowsDefenderDriver();
    const context = contextIn(
      tempRoot(),
      {},
      {
        run: async () => ({ code: null, stdout: '', stderr: 'spawn powershell.exe ENOENT' }),
      },
    );
    const outcome = await driver.apply(settingsOf({ 'antivirus.scanArchives': true }), context);
    expect(outcome.results).toEqual([
      {
        id: 'antivirus.scanArchives',
        status: 'failed',
        target: 'windows-defender',
        error:
          'cannot read windows-defender: cannot run powershell.exe: spawn powershell.exe ENOENT',
      },
    ]);
    expect(outcome.applied).toEqual({});
  });

  it('puts the state read before the change back when the apply script fails, and reports the native error', async () => {
    const commands: string[] = [];
    const refusal = 'Set-MpPreference : Operation failed with the following error: 0x800106ba';
    const run: CommandRunner = async (_command, args) => {
      const script = args[args.length - 1] as string;
      if (args.includes('-File')) {
        commands.push(readFileSync(script, 'utf8'));
        return { code: 1, stdout: '', stderr: refusal };
      }
      if (script !== READ_BACK_SCRIPT) commands.push(script);
      return { code: 0, stdout: readBack, stderr: '' };
    };
    const outcome = await new WindowsDefenderDriver().apply(
      settingsOf({
        'antivirus.realTimeProtection': true,
        'exclusions.paths': ['C:\\Data\\'],
        'exclusions.extensions': ['log'],
      }),
      contextIn(tempRoot(), {}, { run }),
    );
    expect(outcome.results.map((r) => [r.id, r.status, r.error])).toEqual([
      ['antivirus.realTimeProtection', 'failed', refusal],
      ['exclusions.extensions', 'failed', refusal],
      ['exclusions.paths', 'failed', refusal],
    ]);
    expect(outcome.applied).toEqual({});
    const [applyScript, rollback] = commands;
    expect(applyScript).toContain(
      "Set-MpPreference -DisableRealtimeMonitoring $false -ExclusionExtension @('log') -ExclusionPath @('C:\\Data\\')",
    );
    // The machine had real-time monitoring off, .tmp excluded and no excluded path.
    expect(rollback).toContain(
      "Set-MpPreference -DisableRealtimeMonitoring $true -ExclusionExtension @('tmp')",
    );
    expect(rollback).toContain("Remove-MpPreference -ExclusionPath @('C:\\Data\\')");
    expect(rollback).not.toContain("'null'");
  });

  it('removes what a dropped setting left: its list items, ASR rules, registry value; keeps single preferences', () => {
    const desired = codec.render(new Map(), current, [
      'exclusions.extensions',
      'asr.rules',
      'edr.deviceTag',
      'antivirus.realTimeProtection',
    ]);
    const script = renderApplyScript(desired, current);
    expect(script).toContain("Remove-MpPreference -ExclusionExtension @('tmp')");
    expect(script).toContain(
      "Remove-MpPreference -AttackSurfaceReductionRules_Ids @('d4f940ab-401b-4efc-aadc-ad5f3c50688a', '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2')",
    );
    expect(script).toMatch(/Remove-ItemProperty -Path '[^']+DeviceTagging' -Name 'Group'/);
    expect(script).not.toContain('Set-MpPreference');
    expect(script).not.toContain('Add-MpPreference');
  });

  it('reports a preference changed behind its back (a GPO, a local admin) as drifted and sets it again', async () => {
    // PowerShell's side: the machine's preferences, which the apply script brings back.
    const machine = JSON.parse(readBack) as { preferences: Record<string, unknown> };
    const scripts: string[] = [];
    const run: CommandRunner = async (_command, args) => {
      if (args.includes('-File')) {
        const script = readFileSync(args[args.length - 1] as string, 'utf8');
        scripts.push(script);
        if (script.includes('-DisableRealtimeMonitoring $false'))
          machine.preferences.DisableRealtimeMonitoring = false;
        return { code: 0, stdout: '', stderr: '' };
      }
      return { code: 0, stdout: JSON.stringify(machine), stderr: '' };
    };
    const settings = settingsOf({ 'antivirus.realTimeProtection': true });
    const driver = new WindowsDefenderDriver();
    const first = await driver.apply(settings, contextIn(tempRoot(), {}, { run }));
    expect(first.results).toEqual([
      { id: 'antivirus.realTimeProtection', status: 'succeeded', target: 'windows-defender' },
    ]);
    machine.preferences.DisableRealtimeMonitoring = true;
    const second = await driver.apply(settings, contextIn(tempRoot(), first.applied, { run }));
    expect(second.results).toEqual([
      {
        id: 'antivirus.realTimeProtection',
        status: 'drifted',
        target: 'windows-defender',
        observed: true,
      },
    ]);
    expect(scripts).toHaveLength(2);
    expect(machine.preferences.DisableRealtimeMonitoring).toBe(false);
  });

  it('expresses Windows settings and not the Linux-only ones', () => {
    const driver = new WindowsDefenderDriver();
    expect(driver.expresses('asr.rules')).toBe(true);
    expect(driver.expresses('antivirus.cloudBlockLevel')).toBe(true);
    expect(driver.expresses('exclusions.mergePolicy')).toBe(false);
  });
});
