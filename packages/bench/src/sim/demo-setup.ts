/**
 * `palisade-sim --admin-password … --demo-policies`: what a demo tenant needs for its dashboards to
 * tell a story — dynamic groups per platform and role, and policies for each platform, including
 * two that disagree on web servers so conflicts show up. Existing groups and policies with the
 * same names are reused, so running it twice changes nothing.
 */
import { AdminApiError, type AdminClient, listNames } from './admin-client.js';

const GROUPS: readonly (readonly [string, string])[] = [
  ['Linux servers', '(device.deviceOSType -eq "Linux")'],
  [
    'Web servers',
    '(device.displayName -contains "-web-") or (device.displayName -contains "-IIS-")',
  ],
  ['Windows servers', '(device.deviceOSType -eq "Windows Server")'],
  ['Windows clients', '(device.deviceOSType -eq "Windows")'],
  ['Macs', '(device.deviceOSType -eq "macOS")'],
];

interface DemoPolicy {
  readonly name: string;
  readonly platform: 'windows' | 'macos' | 'linux';
  readonly profile: string;
  readonly settings: Record<string, unknown>;
  readonly groups: readonly string[];
}

const POLICIES: readonly DemoPolicy[] = [
  {
    name: 'Linux antivirus baseline',
    platform: 'linux',
    profile: 'antivirus',
    settings: {
      'antivirus.realTimeProtection': true,
      'antivirus.behaviorMonitoring': true,
      'antivirus.cloudProtection': true,
      'antivirus.puaProtection': 'block',
    },
    groups: ['Linux servers'],
  },
  {
    name: 'Web tier: PUA in audit',
    platform: 'linux',
    profile: 'antivirus',
    settings: { 'antivirus.puaProtection': 'audit' },
    groups: ['Web servers'],
  },
  {
    name: 'Web tier exclusions',
    platform: 'linux',
    profile: 'antivirus-exclusions',
    settings: {
      'exclusions.paths': ['/var/cache/nginx/', '/var/lib/nginx/tmp/', '/srv/www/uploads/tmp/'],
    },
    groups: ['Web servers'],
  },
  {
    name: 'Windows antivirus baseline',
    platform: 'windows',
    profile: 'antivirus',
    settings: {
      'antivirus.realTimeProtection': true,
      'antivirus.behaviorMonitoring': true,
      'antivirus.cloudProtection': true,
      'antivirus.puaProtection': 'block',
    },
    groups: ['Windows servers', 'Windows clients'],
  },
  {
    name: 'Windows clients: attack surface reduction',
    platform: 'windows',
    profile: 'attack-surface-reduction',
    // Block executable content from email client and webmail.
    settings: { 'asr.rules': { 'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550': 'block' } },
    groups: ['Windows clients'],
  },
  {
    name: 'macOS antivirus baseline',
    platform: 'macos',
    profile: 'antivirus',
    settings: { 'antivirus.realTimeProtection': true, 'antivirus.cloudProtection': true },
    groups: ['Macs'],
  },
];

/** Creates the demo groups and policies that are missing; returns one line per problem. */
export async function setUpDemoPolicies(admin: AdminClient): Promise<string[]> {
  const problems: string[] = [];
  const groups = await listNames(admin, '/api/v1/groups');
  for (const [name, rule] of GROUPS) {
    if (groups.has(name)) continue;
    try {
      const created = await admin.createDynamicGroup(name, rule);
      groups.set(name, created.id);
    } catch (error) {
      problems.push(
        `group "${name}": ${error instanceof AdminApiError ? error.message : String(error)}`,
      );
    }
  }
  const policies = await listNames(admin, '/api/v1/policies');
  for (const policy of POLICIES) {
    if (policies.has(policy.name)) continue;
    const include = policy.groups.flatMap((name) => groups.get(name) ?? []);
    try {
      await admin.createPolicy({ ...policy, include });
    } catch (error) {
      problems.push(
        `policy "${policy.name}": ${error instanceof AdminApiError ? error.message : String(error)}`,
      );
    }
  }
  return problems;
}
