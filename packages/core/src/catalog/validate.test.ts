import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isAddressToken, validateSettings } from './index.js';

const messages = (problems: readonly { message: string }[]) => problems.map((p) => p.message);

describe('validateSettings', () => {
  it('explains a bad choice in the administrator’s words', () => {
    expect(validateSettings('windows', 'antivirus', { 'antivirus.cloudBlockLevel': 7 })).toEqual([
      {
        settingId: 'antivirus.cloudBlockLevel',
        message:
          'antivirus.cloudBlockLevel: 7 is not one of default, moderate, high, high-plus, zero-tolerance',
      },
    ]);
  });

  it('accepts a valid policy', () => {
    expect(
      validateSettings('linux', 'antivirus', {
        'antivirus.realTimeProtection': true,
        'antivirus.cloudBlockLevel': 'high-plus',
        'antivirus.puaProtection': 'block',
        'antivirus.onDemandScanThreads': 4,
        'antivirus.unmonitoredFilesystems': ['nfs'],
      }),
    ).toEqual([]);
  });

  it('returns every problem at once', () => {
    const problems = validateSettings('windows', 'antivirus', {
      'antivirus.realTimeProtection': 'yes',
      'antivirus.scanCpuLoadFactor': 150,
      'antivirus.scanTime': 12.5,
      'antivirus.puaProtection': 'on',
      'antivirus.realtimeProtection': true,
      'exclusions.paths': ['C:\\Data\\'],
      'antivirus.scanAfterDefinitionUpdate': true,
    });
    expect(messages(problems)).toEqual([
      'antivirus.realTimeProtection: must be true or false, not "yes"',
      'antivirus.scanCpuLoadFactor: 150 is out of range: it must be from 0 to 100 percent',
      'antivirus.scanTime: must be a whole number, not 12.5',
      'antivirus.puaProtection: "on" is not one of off, audit, block',
      'antivirus.realtimeProtection: there is no such setting; did you mean antivirus.realTimeProtection?',
      'exclusions.paths: belongs to the antivirus-exclusions profile, not antivirus; move it to a policy of that profile',
      'antivirus.scanAfterDefinitionUpdate: is a macOS, Linux setting; Windows policies cannot use it',
    ]);
    expect(problems.map((p) => p.settingId)).toContain('antivirus.scanCpuLoadFactor');
  });

  it('refuses a Windows-only setting in a Linux policy', () => {
    expect(
      messages(validateSettings('linux', 'antivirus', { 'antivirus.emailScanning': true })),
    ).toEqual(['antivirus.emailScanning: is a Windows setting; Linux policies cannot use it']);
  });

  it('refuses the security-experience profile with a clear message', () => {
    const problems = validateSettings('windows', 'security-experience', {
      'securityExperience.tamperProtection': true,
    });
    expect(problems).toHaveLength(1);
    expect(problems[0]?.settingId).toBe('security-experience');
    expect(problems[0]?.message).toMatch(
      /^the security-experience profile \(Windows Security Experience\) is not delivered/,
    );
    expect(problems[0]?.message).toContain('MDM');
  });

  it('refuses a profile on a platform that lacks it', () => {
    expect(messages(validateSettings('linux', 'attack-surface-reduction', {}))).toEqual([
      'the attack-surface-reduction profile exists for Windows only, not Linux',
    ]);
  });

  it('refuses settings the channel does not deliver', () => {
    expect(
      messages(
        validateSettings('windows', 'antivirus', { 'antivirus.intrusionPreventionSystem': false }),
      )[0],
    ).toMatch(/^antivirus.intrusionPreventionSystem: AllowIntrusionPreventionSystem is deprecated/);
  });

  it('offers platform-specific choices only where they exist', () => {
    expect(
      validateSettings('windows', 'antivirus', { 'antivirus.sampleSubmission': 'always-prompt' }),
    ).toEqual([]);
    expect(
      messages(
        validateSettings('macos', 'antivirus', { 'antivirus.sampleSubmission': 'always-prompt' }),
      ),
    ).toEqual([
      'antivirus.sampleSubmission: always-prompt is not available on macOS (only on Windows); choose one of safe, none, all',
    ]);
  });

  it('checks exclusion items per platform, with their index', () => {
    const problems = validateSettings('linux', 'antivirus-exclusions', {
      'exclusions.paths': [
        '/var/lib/postgresql/',
        'C:\\Temp',
        '/srv/cache/',
        '/var/lib/postgresql/',
      ],
      'exclusions.extensions': ['.log', 'pdf', 'a/b'],
      'exclusions.processes': ['cat', '/usr/bin/backup', ''],
    });
    expect(problems).toEqual([
      {
        settingId: 'exclusions.paths',
        path: [1],
        message:
          'exclusions.paths[1]: "C:\\\\Temp" is not an absolute path such as /var/lib/postgresql/ (a trailing / marks a folder) (Linux)',
      },
      {
        settingId: 'exclusions.paths',
        path: [3],
        message: 'exclusions.paths[3]: "/var/lib/postgresql/" is listed twice',
      },
      {
        settingId: 'exclusions.extensions',
        path: [2],
        message:
          'exclusions.extensions[2]: "a/b" is not a file extension such as .log or log, without a path',
      },
      {
        settingId: 'exclusions.processes',
        path: [2],
        message: 'exclusions.processes[2]: must be a process name or full path, not empty text',
      },
    ]);
    expect(
      validateSettings('windows', 'antivirus-exclusions', {
        'exclusions.paths': ['C:\\Data\\', '%ProgramFiles%\\App\\', '\\\\server\\share\\'],
        'exclusions.processes': ['sqlservr.exe', 'C:\\App\\app.exe'],
      }),
    ).toEqual([]);
  });

  it('checks ASR rules by GUID and mode', () => {
    const problems = validateSettings('windows', 'attack-surface-reduction', {
      'asr.rules': {
        'd4f940ab-401b-4efc-aadc-ad5f3c50688a': 'block',
        '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2': 'warn',
        'D3E037E1-3EB8-44C8-A917-57927947596D': 'audit',
        '00000000-0000-0000-0000-000000000000': 'block',
        'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550': 'enforce',
      },
    });
    expect(messages(problems)).toEqual([
      'asr.rules.D3E037E1-3EB8-44C8-A917-57927947596D: write the key in lower case: d3e037e1-3eb8-44c8-a917-57927947596d',
      'asr.rules.00000000-0000-0000-0000-000000000000: 00000000-0000-0000-0000-000000000000 is not a known key (see palisade catalog show asr.rules)',
      'asr.rules.be9ba2d9-53ea-4cdc-84e5-9b1eeee46550: "enforce" is not one of off, block, audit, warn',
      'asr.rules.9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2: warn is not supported by "Block credential stealing from the Windows local security authority subsystem (lsass.exe)"; choose off, block or audit',
    ]);
    expect(problems[0]?.path).toEqual(['D3E037E1-3EB8-44C8-A917-57927947596D']);
  });

  describe('firewall rules', () => {
    const web = {
      name: 'web',
      direction: 'in',
      action: 'allow',
      protocol: 'tcp',
      localPorts: ['80', '443', '8000-8080'],
      remoteAddresses: ['10.0.0.0/8', '2001:db8::/32', '192.168.1.1-192.168.1.9'],
    };

    it('accepts well-formed rules on Windows and Linux', () => {
      expect(validateSettings('linux', 'firewall-rules', { 'firewall.rules': [web] })).toEqual([]);
      expect(
        validateSettings('windows', 'firewall-rules', {
          'firewall.rules': [
            { ...web, profiles: ['domain', 'private'], program: 'C:\\Program Files\\App\\app.exe' },
            {
              name: 'dns',
              direction: 'out',
              action: 'allow',
              protocol: 'udp',
              remoteAddresses: ['DNS'],
            },
          ],
        }),
      ).toEqual([]);
    });

    it('reports each field problem with its path', () => {
      const problems = validateSettings('linux', 'firewall-rules', {
        'firewall.rules': [
          { ...web, direction: 'inbound', program: '/usr/sbin/nginx' },
          { name: 'WEB', action: 'block', protocol: 'icmp', localPorts: ['22', '70000', '90-80'] },
          {
            name: 'ssh',
            direction: 'in',
            action: 'allow',
            remoteAddresses: ['LocalSubnet', '10.0.0.300', '*'],
            colour: 'red',
          },
        ],
      });
      expect(problems.map((p) => [p.path, p.message])).toEqual([
        [[0, 'direction'], 'firewall.rules[0].direction: "inbound" is not one of in, out'],
        [
          [0, 'program'],
          'firewall.rules[0].program: is a Windows field; Linux policies cannot use it',
        ],
        [
          [1, 'direction'],
          'firewall.rules[1].direction: is required (Inbound (traffic to the device) or outbound (traffic from it).)',
        ],
        [
          [1, 'name'],
          'firewall.rules[1].name: "WEB" is already the name of item 0; names must be unique',
        ],
        [
          [2, 'colour'],
          'firewall.rules[2].colour: is not a field (fields: name, description, direction, action, protocol, localPorts, remotePorts, localAddresses, remoteAddresses, enabled, profiles, program, service, icmpTypes, interfaceTypes, edgeTraversal, localUserAuthorizedList, remoteAddressDynamicKeywords, packageFamilyName, fqbn, policyAppId)',
        ],
        [
          [1, 'localPorts'],
          'firewall.rules[1].localPorts: ports need protocol tcp or udp, not icmp',
        ],
        [
          [1, 'localPorts', 1],
          'firewall.rules[1].localPorts[1]: 70000 is not a port: ports run from 1 to 65535',
        ],
        [
          [1, 'localPorts', 2],
          'firewall.rules[1].localPorts[2]: 90-80 is not a range: it ends before it starts',
        ],
        [
          [2, 'remoteAddresses', 0],
          'firewall.rules[2].remoteAddresses[0]: LocalSubnet is a Windows Firewall keyword; nftables rules need addresses',
        ],
        [
          [2, 'remoteAddresses', 1],
          'firewall.rules[2].remoteAddresses[1]: "10.0.0.300" is not an IP address, prefix or range',
        ],
        [
          [2, 'remoteAddresses', 2],
          'firewall.rules[2].remoteAddresses[2]: * means every address and must stand alone',
        ],
      ]);
      expect(problems.every((p) => p.settingId === 'firewall.rules')).toBe(true);
    });

    /** A rule with every Windows-only field of the Firewall CSP, each well formed. */
    const windowsOnly = {
      interfaceTypes: ['lan', 'wireless'],
      edgeTraversal: true,
      localUserAuthorizedList: 'O:LSD:(A;;CC;;;S-1-5-21-1004336348-1177238915-682003330-512)',
      remoteAddressDynamicKeywords: ['{01234567-89ab-cdef-0123-456789abcdef}'],
      packageFamilyName: 'Microsoft.WindowsCalculator_8wekyb3d8bbwe',
      fqbn: 'O=CONTOSO, L=REDMOND, S=WASHINGTON, C=US\\CONTOSO APP\\APP.EXE\\*',
      policyAppId: 'Contoso.Tag:Line/1',
    };
    const store = { name: 'store app', direction: 'in', action: 'allow', ...windowsOnly };

    it('accepts the Windows-only fields of the Firewall CSP on Windows', () => {
      expect(validateSettings('windows', 'firewall-rules', { 'firewall.rules': [store] })).toEqual(
        [],
      );
    });

    it('refuses each Windows-only field in a Linux policy, naming it (nftables cannot express it)', () => {
      const problems = validateSettings('linux', 'firewall-rules', { 'firewall.rules': [store] });
      expect(problems.map((p) => [p.path, p.message])).toEqual(
        Object.keys(windowsOnly).map((key) => [
          [0, key],
          `firewall.rules[0].${key}: is a Windows field; Linux policies cannot use it`,
        ]),
      );
    });

    it('checks the formats the Firewall CSP gives the Windows-only fields', () => {
      const problems = validateSettings('windows', 'firewall-rules', {
        'firewall.rules': [
          {
            name: 'bad',
            direction: 'out',
            action: 'allow',
            interfaceTypes: ['lan', 'ethernet'],
            localUserAuthorizedList: 'Administrators',
            remoteAddressDynamicKeywords: ['01234567-89ab-cdef-0123-456789abcdef'],
            packageFamilyName: 'Microsoft.WindowsCalculator',
            policyAppId: 'tag with spaces',
          },
          {
            name: 'contradictions',
            direction: 'out',
            action: 'allow',
            interfaceTypes: ['all', 'lan'],
            edgeTraversal: true,
            service: 'Dnscache',
            policyAppId: 'Contoso.Tag',
          },
        ],
      });
      expect(messages(problems)).toEqual([
        'firewall.rules[0].interfaceTypes[1]: "ethernet" is not lan, wireless, remote-access, mobile-broadband, all',
        'firewall.rules[0].localUserAuthorizedList: "Administrators" is not an SDDL security descriptor with a DACL, such as D:(A;;CC;;;S-1-5-32-544)',
        'firewall.rules[0].remoteAddressDynamicKeywords[0]: "01234567-89ab-cdef-0123-456789abcdef" is not a braced GUID such as {01234567-89ab-cdef-0123-456789abcdef}',
        'firewall.rules[0].packageFamilyName: "Microsoft.WindowsCalculator" is not a package family name such as Microsoft.WindowsCalculator_8wekyb3d8bbwe',
        'firewall.rules[0].policyAppId: "tag with spaces" is not a tag of letters, digits and _ . : /',
        'firewall.rules[1].interfaceTypes: all means every interface type and must stand alone',
        'firewall.rules[1].edgeTraversal: edge traversal applies to inbound rules only; set direction to in',
        'firewall.rules[1].policyAppId: an App Control tag cannot be combined with a service; remove one',
      ]);
    });

    it('takes ICMP types and codes on Windows and Linux, for icmp and icmpv6 only', () => {
      const ping = {
        name: 'ping',
        direction: 'in',
        action: 'allow',
        protocol: 'icmp',
        icmpTypes: ['8:*', '3:4', '0:0'],
      };
      for (const platform of ['windows', 'linux'] as const) {
        expect(validateSettings(platform, 'firewall-rules', { 'firewall.rules': [ping] })).toEqual(
          [],
        );
      }
      const problems = validateSettings('linux', 'firewall-rules', {
        'firewall.rules': [
          { ...ping, icmpTypes: ['*'] },
          { ...ping, name: 'tcp', protocol: 'tcp', icmpTypes: ['8:*'] },
          { ...ping, name: 'bad', icmpTypes: ['*:4', '*:*', '8', '256:0', '3:300', '*'] },
        ],
      });
      expect(messages(problems)).toEqual([
        'firewall.rules[2].icmpTypes[0]: "*:4" is not a type:code pair such as 3:4, a type with every code such as 8:*, or *',
        'firewall.rules[2].icmpTypes[1]: "*:*" is not a type:code pair such as 3:4, a type with every code such as 8:*, or *',
        'firewall.rules[2].icmpTypes[2]: "8" is not a type:code pair such as 3:4, a type with every code such as 8:*, or *',
        'firewall.rules[1].icmpTypes: ICMP types need protocol icmp or icmpv6, not tcp',
        'firewall.rules[2].icmpTypes[3]: 256:0 is not an ICMP type and code: both run from 0 to 255',
        'firewall.rules[2].icmpTypes[4]: 3:300 is not an ICMP type and code: both run from 0 to 255',
        'firewall.rules[2].icmpTypes[5]: * means every ICMP message and must stand alone',
      ]);
    });

    it('parses addresses of both families', () => {
      for (const good of [
        '10.1.2.3',
        '10.0.0.0/8',
        '::1',
        'fe80::1/64',
        '2001:db8:0:0:0:0:0:1',
        '::ffff:10.0.0.1',
        '10.0.0.1-10.0.0.9',
      ]) {
        expect(isAddressToken(good), good).toBe(true);
      }
      for (const bad of [
        '10.0.0',
        '10.0.0.0/33',
        '1::2::3',
        'fe80::1/129',
        '10.0.0.1-::1',
        'example.com',
      ]) {
        expect(isAddressToken(bad), bad).toBe(false);
      }
    });
  });

  it('checks macOS tamper protection exclusions field by field', () => {
    const problems = validateSettings('macos', 'antivirus', {
      'antivirus.tamperProtectionExclusions': [
        {
          path: '/usr/local/jamf/bin/jamf',
          teamId: '483DWKW443',
          signingId: 'com.jamfsoftware.jamf',
        },
        { path: '/bin/zsh', signingId: 'com.apple.zsh', args: ['/usr/local/bin/test.sh'] },
        { teamId: 'apple', args: 'x' },
      ],
    });
    expect(messages(problems)).toEqual([
      'antivirus.tamperProtectionExclusions[2].path: is required (The exact path of the executable; no wildcards.)',
      'antivirus.tamperProtectionExclusions[2].teamId: "apple" is not a 10-character Apple team id such as UBF8T346G9',
      'antivirus.tamperProtectionExclusions[2].args: must be a list, not "x"',
    ]);
  });

  it('rejects a setting written without a value', () => {
    expect(
      messages(validateSettings('linux', 'antivirus-exclusions', { 'exclusions.paths': null })),
    ).toEqual(['exclusions.paths: has no value; remove it to leave the setting not configured']);
  });
});

describe('validateSettings, as a property', () => {
  /** Entries good and bad, for one platform and profile. */
  const pool: readonly (readonly [string, unknown])[] = [
    ['antivirus.realTimeProtection', true],
    ['antivirus.realTimeProtection', 'on'],
    ['antivirus.cloudBlockLevel', 'high'],
    ['antivirus.cloudBlockLevel', 7],
    ['antivirus.scanCpuLoadFactor', 101],
    ['antivirus.scanCpuLoadFactor', 30],
    ['antivirus.emailScanning', false],
    ['antivirus.threatDefaultActions', { low: 'quarantine', severe: 'explode' }],
    ['antivirus.signatureUpdateFallbackOrder', ['MMPC', 'Nowhere']],
    ['antivirus.passiveMode', true],
    ['exclusions.paths', ['C:\\Temp\\']],
    ['antivirus.nonsense', 1],
    ['antivirus.sampleSubmission', 'always-prompt'],
  ];

  it('reports each setting’s problems independently of the others (all at once, in input order)', () => {
    fc.assert(
      fc.property(fc.subarray([...pool.keys()]), (indexes) => {
        const chosen = new Map<string, unknown>();
        for (const index of indexes) {
          const [id, value] = pool[index] ?? ['', null];
          if (!chosen.has(id)) chosen.set(id, value);
        }
        const together = validateSettings('windows', 'antivirus', Object.fromEntries(chosen));
        const oneByOne = [...chosen].flatMap(([id, value]) =>
          validateSettings('windows', 'antivirus', { [id]: value }),
        );
        expect(together).toEqual(oneByOne);
        for (const problem of together) {
          expect(chosen.has(problem.settingId)).toBe(true);
          expect(problem.message.startsWith(`${problem.settingId}`)).toBe(true);
        }
      }),
    );
  });
});
