/**
 * Believable facts for simulated machines: hostnames by site and role, domains, OS versions per
 * platform (a few unsupported or too old), tags, some machines managed by MDM or Configuration
 * Manager, some domain controllers, Server Core, ConstrainedLanguage hosts and non-persistent VDI,
 * and installed software by role. Everything derives from (fleet seed, machine index), so the same
 * index always describes the same machine.
 */
import type { Platform } from '@palisade/core';
import type { DeviceFactsMessage } from '@palisade/protocol';
import { chance, integerBetween, pick, pickWeighted, type Random, seededRandom } from './random.js';

const SITES = ['ams', 'fra', 'lon', 'nyc', 'sea', 'sgp', 'syd'] as const;

interface OsRelease {
  readonly osVersion: string;
  readonly osName: string;
  readonly distro?: string;
  readonly kernel?: string;
}

/** Weighted OS releases per platform; the last entries of each list are no longer supported. */
const LINUX_RELEASES: readonly (readonly [OsRelease, number])[] = [
  [
    {
      distro: 'ubuntu',
      osVersion: '22.04',
      osName: 'Ubuntu 22.04.5 LTS',
      kernel: '5.15.0-126-generic',
    },
    25,
  ],
  [
    {
      distro: 'ubuntu',
      osVersion: '24.04',
      osName: 'Ubuntu 24.04.1 LTS',
      kernel: '6.8.0-49-generic',
    },
    20,
  ],
  [
    {
      distro: 'debian',
      osVersion: '12',
      osName: 'Debian GNU/Linux 12 (bookworm)',
      kernel: '6.1.0-28-amd64',
    },
    15,
  ],
  [
    {
      distro: 'rhel',
      osVersion: '9.4',
      osName: 'Red Hat Enterprise Linux 9.4 (Plow)',
      kernel: '5.14.0-427.el9.x86_64',
    },
    15,
  ],
  [
    {
      distro: 'rhel',
      osVersion: '8.10',
      osName: 'Red Hat Enterprise Linux 8.10 (Ootpa)',
      kernel: '4.18.0-553.el8_10.x86_64',
    },
    8,
  ],
  [
    {
      distro: 'sles',
      osVersion: '15.6',
      osName: 'SUSE Linux Enterprise Server 15 SP6',
      kernel: '6.4.0-150600.21-default',
    },
    5,
  ],
  [
    {
      distro: 'amzn',
      osVersion: '2023',
      osName: 'Amazon Linux 2023',
      kernel: '6.1.115-126.197.amzn2023.x86_64',
    },
    7,
  ],
  [
    {
      distro: 'centos',
      osVersion: '6.10',
      osName: 'CentOS release 6.10 (Final)',
      kernel: '2.6.32-754.el6.x86_64',
    },
    2,
  ],
  [
    {
      distro: 'ubuntu',
      osVersion: '14.04',
      osName: 'Ubuntu 14.04.6 LTS',
      kernel: '3.13.0-170-generic',
    },
    1,
  ],
];

const WINDOWS_SERVER_RELEASES: readonly (readonly [OsRelease, number])[] = [
  [{ osVersion: '10.0.20348.2849', osName: 'Windows Server 2022 Datacenter' }, 35],
  [{ osVersion: '10.0.17763.6532', osName: 'Windows Server 2019 Standard' }, 30],
  [{ osVersion: '10.0.26100.2314', osName: 'Windows Server 2025 Datacenter' }, 10],
  [{ osVersion: '10.0.14393.7515', osName: 'Windows Server 2016 Standard' }, 15],
  [{ osVersion: '6.3.9600.21620', osName: 'Windows Server 2012 R2 Standard' }, 7],
  [{ osVersion: '6.1.7601.24546', osName: 'Windows Server 2008 R2 Enterprise' }, 3],
];

const WINDOWS_CLIENT_RELEASES: readonly (readonly [OsRelease, number])[] = [
  [{ osVersion: '10.0.22631.4460', osName: 'Windows 11 Enterprise' }, 40],
  [{ osVersion: '10.0.26100.2314', osName: 'Windows 11 Enterprise' }, 15],
  [{ osVersion: '10.0.19045.5131', osName: 'Windows 10 Enterprise' }, 30],
  [{ osVersion: '10.0.19045.5131', osName: 'Windows 10 Pro' }, 10],
  [{ osVersion: '6.3.9600.20778', osName: 'Windows 8.1 Pro' }, 3],
  [{ osVersion: '6.1.7601.24544', osName: 'Windows 7 Enterprise' }, 2],
];

const MACOS_RELEASES: readonly (readonly [OsRelease, number])[] = [
  [{ osVersion: '15.1.1', osName: 'macOS 15.1.1' }, 30],
  [{ osVersion: '14.7.1', osName: 'macOS 14.7.1' }, 35],
  [{ osVersion: '13.7.1', osName: 'macOS 13.7.1' }, 25],
  [{ osVersion: '12.7.6', osName: 'macOS 12.7.6' }, 7],
  [{ osVersion: '11.7.10', osName: 'macOS 11.7.10' }, 3],
];

/** Agent versions in the field; the last of each list predates the supported minimum. */
const AGENT_VERSIONS: Readonly<Record<Platform, readonly (readonly [string, number])[]>> = {
  linux: [
    ['101.24092.0002', 70],
    ['101.23052.0009', 27],
    ['101.22042.0003', 3],
  ],
  macos: [
    ['101.24092.0004', 70],
    ['101.23052.0004', 27],
    ['101.22032.0011', 3],
  ],
  'windows-server': [
    ['4.18.24090.11', 75],
    ['4.18.23110.3', 23],
    ['4.18.2001.10', 2],
  ],
  'windows-client': [
    ['4.18.24090.11', 75],
    ['4.18.23110.3', 23],
    ['4.18.2001.10', 2],
  ],
};

interface Role {
  readonly code: string;
  readonly software: readonly string[];
  readonly internetFacing?: boolean;
  readonly tags?: readonly string[];
}

const LINUX_ROLES: readonly (readonly [Role, number])[] = [
  [
    {
      code: 'web',
      software: ['nginx 1.24.0', 'openssl 3.0.13', 'certbot 2.9.0'],
      internetFacing: true,
    },
    25,
  ],
  [{ code: 'app', software: ['openjdk-17-jre 17.0.13', 'nodejs 20.18.1'] }, 20],
  [{ code: 'db', software: ['postgresql-16 16.6', 'pgbackrest 2.54'], tags: ['pci'] }, 12],
  [{ code: 'k8s', software: ['containerd 1.7.24', 'kubelet 1.31.3', 'cri-tools 1.31.1'] }, 18],
  [{ code: 'cache', software: ['redis-server 7.0.15'] }, 8],
  [{ code: 'build', software: ['docker-ce 27.3.1', 'git 2.43.0', 'gcc 13.2.0'] }, 10],
  [{ code: 'mail', software: ['postfix 3.8.6', 'dovecot-core 2.3.21'], internetFacing: true }, 3],
  [{ code: 'bastion', software: ['openssh-server 9.6p1'], internetFacing: true, tags: ['pci'] }, 4],
];

const WINDOWS_SERVER_ROLES: readonly (readonly [Role, number])[] = [
  [{ code: 'dc', software: ['Active Directory Domain Services', 'DNS Server'] }, 8],
  [{ code: 'file', software: ['File Server Resource Manager', 'DFS Replication'] }, 15],
  [
    {
      code: 'sql',
      software: ['Microsoft SQL Server 2022 16.0.4155.4', 'SQL Server Management Studio 20.2'],
      tags: ['pci'],
    },
    15,
  ],
  [
    {
      code: 'iis',
      software: ['Internet Information Services 10.0', '.NET Framework 4.8.1'],
      internetFacing: true,
    },
    15,
  ],
  [{ code: 'rds', software: ['Remote Desktop Session Host', 'FSLogix Apps 2.9.8884'] }, 10],
  [
    {
      code: 'app',
      software: ['.NET Runtime 8.0.11', 'Microsoft Visual C++ 2015-2022 Redistributable 14.40'],
    },
    25,
  ],
  [{ code: 'exch', software: ['Microsoft Exchange Server 2019 CU14'], internetFacing: true }, 4],
  [{ code: 'ca', software: ['Active Directory Certificate Services'] }, 3],
];

const CLIENT_SOFTWARE = [
  'Microsoft 365 Apps for enterprise 16.0.17928',
  'Google Chrome 131.0.6778.86',
  'Mozilla Firefox 133.0',
  'Microsoft Teams 24295.605',
  '7-Zip 24.08',
  'Adobe Acrobat Reader 24.004.20272',
  'Zoom Workplace 6.2.11',
  'Visual Studio Code 1.95.3',
  'Notepad++ 8.7.1',
  'Slack 4.41.105',
] as const;

const MAC_SOFTWARE = [
  'Google Chrome 131.0.6778.86',
  'Slack 4.41.105',
  'Zoom Workplace 6.2.11',
  'Microsoft Outlook 16.91',
  'Visual Studio Code 1.95.3',
  'iTerm2 3.5.10',
  'Docker Desktop 4.36.0',
  '1Password 8.10.54',
] as const;

/** The directory domains of the simulated organisation. */
const AD_DOMAINS = [
  'corp.example.com',
  'eu.corp.example.com',
  'us.corp.example.com',
  'ap.corp.example.com',
];
const LINUX_DOMAINS = ['prod.example.net', 'stage.example.net', 'corp.example.com'];

/** The tag an administrator would use to phase management in (enforcement scope "tagged devices"). */
export const MANAGEMENT_TAG = 'MDE-Management';

/** The facts of machine `index` of the fleet generated from `seed`. */
export function simulatedFacts(
  seed: string,
  index: number,
  platform: Platform,
): DeviceFactsMessage {
  const random = seededRandom(`${seed}:facts:${index}`);
  switch (platform) {
    case 'linux':
      return linuxFacts(random, index);
    case 'windows-server':
      return windowsServerFacts(random, index);
    case 'windows-client':
      return windowsClientFacts(random, index);
    case 'macos':
      return macosFacts(random, index);
  }
}

function serial(index: number): string {
  return String(index).padStart(5, '0');
}

function siteOf(random: Random): string {
  return pick(random, SITES);
}

/** Tags the machine carries itself (agent config or registry): rollout rings and the management tag. */
function machineTags(random: Random, role: Role | undefined): string[] {
  const tags = new Set<string>(role?.tags ?? []);
  if (chance(random, 0.35)) tags.add(MANAGEMENT_TAG);
  tags.add(
    pickWeighted(random, [
      ['ring:pilot', 10],
      ['ring:early', 25],
      ['ring:broad', 65],
    ] as const),
  );
  if (chance(random, 0.05)) tags.add('legacy');
  return [...tags].sort();
}

function sampleSoftware(random: Random, catalogue: readonly string[], min: number): string[] {
  return catalogue
    .filter(() => chance(random, 0.55))
    .concat(catalogue.slice(0, min))
    .filter((item, position, all) => all.indexOf(item) === position);
}

const common = {
  isDomainController: false,
  isServerCore: false,
  nonPersistentVdi: false,
  directoryJoin: null,
  mdmManaged: false,
  configMgrManaged: false,
} as const;

function linuxFacts(random: Random, index: number): DeviceFactsMessage {
  const role = pickWeighted(random, LINUX_ROLES);
  const site = siteOf(random);
  const release = pickWeighted(random, LINUX_RELEASES);
  const targets: ('mdatp' | 'clamav' | 'nftables')[] = chance(random, 0.75)
    ? ['mdatp']
    : ['clamav'];
  if (chance(random, 0.6)) targets.push('nftables');
  return {
    ...common,
    hostname: `${site}-${role.code}-${serial(index)}`,
    domain: chance(random, 0.85) ? pick(random, LINUX_DOMAINS) : null,
    platform: 'linux',
    osVersion: release.osVersion,
    osName: release.osName,
    distro: release.distro,
    kernel: release.kernel,
    architecture: chance(random, 0.9) ? 'x86_64' : 'aarch64',
    agentVersion: pickWeighted(random, AGENT_VERSIONS.linux),
    powershellLanguageMode: null,
    internetFacing: role.internetFacing ?? false,
    tags: machineTags(random, role),
    installedSoftware: [
      ...role.software,
      `openssh-server 9.6p1`,
      `${targets.includes('mdatp') ? 'mdatp 101.24092.0002' : 'clamav 1.0.7'}`,
    ],
    installedTargets: targets,
  };
}

function windowsCommon(
  random: Random,
): Pick<
  DeviceFactsMessage,
  'domain' | 'architecture' | 'powershellLanguageMode' | 'directoryJoin' | 'installedTargets'
> {
  // About one machine in a hundred is joined to another organisation's directory: an enrollment
  // error (multi-tenant devices are not supported).
  const foreignJoin = chance(random, 0.01);
  return {
    domain: pick(random, AD_DOMAINS),
    architecture: 'AMD64',
    powershellLanguageMode: chance(random, 0.02) ? 'ConstrainedLanguage' : 'FullLanguage',
    directoryJoin: foreignJoin
      ? {
          tenantId: 'f0e1d2c3-foreign-tenant',
          deviceId: `foreign-${integerBetween(random, 1000, 9999)}`,
        }
      : null,
    installedTargets: ['windows-defender'],
  };
}

function windowsServerFacts(random: Random, index: number): DeviceFactsMessage {
  const role = pickWeighted(random, WINDOWS_SERVER_ROLES);
  const site = siteOf(random);
  const release = pickWeighted(random, WINDOWS_SERVER_RELEASES);
  return {
    ...common,
    ...windowsCommon(random),
    hostname: `${site}-${role.code}-${serial(index)}`.toUpperCase(),
    platform: 'windows-server',
    osVersion: release.osVersion,
    osName: release.osName,
    agentVersion: pickWeighted(random, AGENT_VERSIONS['windows-server']),
    isDomainController: role.code === 'dc',
    isServerCore: role.code === 'dc' ? chance(random, 0.4) : chance(random, 0.12),
    configMgrManaged: chance(random, 0.1),
    internetFacing: role.internetFacing ?? false,
    tags: machineTags(random, role),
    installedSoftware: [...role.software, 'Microsoft Defender Antivirus 4.18.24090.11'],
  };
}

function windowsClientFacts(random: Random, index: number): DeviceFactsMessage {
  const site = siteOf(random);
  const kind = pickWeighted(random, [
    ['LT', 60],
    ['WS', 30],
    ['VDI', 10],
  ] as const);
  const release = pickWeighted(random, WINDOWS_CLIENT_RELEASES);
  return {
    ...common,
    ...windowsCommon(random),
    hostname: `${site}-${kind}-${serial(index)}`.toUpperCase(),
    platform: 'windows-client',
    osVersion: release.osVersion,
    osName: release.osName,
    agentVersion: pickWeighted(random, AGENT_VERSIONS['windows-client']),
    nonPersistentVdi: kind === 'VDI' && chance(random, 0.5),
    mdmManaged: chance(random, 0.1),
    configMgrManaged: chance(random, 0.15),
    tags: machineTags(random, undefined),
    installedSoftware: sampleSoftware(random, CLIENT_SOFTWARE, 2),
  };
}

function macosFacts(random: Random, index: number): DeviceFactsMessage {
  const site = siteOf(random);
  const release = pickWeighted(random, MACOS_RELEASES);
  return {
    ...common,
    hostname: `${site}-mbp-${serial(index)}`,
    domain: chance(random, 0.3) ? pick(random, AD_DOMAINS) : null,
    platform: 'macos',
    osVersion: release.osVersion,
    osName: release.osName,
    architecture: chance(random, 0.8) ? 'arm64' : 'x86_64',
    agentVersion: pickWeighted(random, AGENT_VERSIONS.macos),
    powershellLanguageMode: null,
    mdmManaged: chance(random, 0.15),
    tags: machineTags(random, undefined),
    installedSoftware: sampleSoftware(random, MAC_SOFTWARE, 2),
    installedTargets: ['macos-defender'],
  };
}
