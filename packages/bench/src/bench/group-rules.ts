/**
 * The dynamic-group rules of the `groups` benchmark (and of `rules-bench --group-rules`): a mix of
 * OS, host-name prefix, installed-software, extension-attribute and management-type conditions,
 * written against the simulated fleet's vocabulary (sites, roles, software; see sim/device-facts).
 */
const SITES = ['ams', 'fra', 'lon', 'nyc', 'sea', 'sgp', 'syd'];
const OS = [
  ['Linux', '22'],
  ['Linux', '9'],
  ['Windows Server', '10.0.20348'],
  ['Windows', '10.0.22631'],
  ['macOS', '14'],
] as const;
const SOFTWARE = [
  'nginx',
  'postgresql',
  'redis',
  'Microsoft SQL Server',
  'Google Chrome',
  'docker',
];
const ROLES = ['web', 'db', 'app', 'k8s', 'sql', 'iis', 'dc', 'file'];

/** A varied dynamic rule for group k, in the directory's rule language. */
export function benchRule(k: number): string {
  const at = <T>(list: readonly T[]) => list[k % list.length] as T;
  switch (k % 5) {
    case 0:
      return `(device.displayName -startsWith "${at(SITES)}-") and (device.deviceOSType -eq "${at(OS)[0]}")`;
    case 1:
      return `(device.deviceOSType -eq "${at(OS)[0]}") and (device.deviceOSVersion -startsWith "${at(OS)[1]}")`;
    case 2:
      return `device.installedSoftware -any _ -startsWith "${at(SOFTWARE)}"`;
    case 3:
      return `(device.extensionAttribute1 -eq "team-${k}")`;
    default:
      return `(device.managementType -eq "MicrosoftSense") and (device.displayName -contains "-${at(ROLES)}-")`;
  }
}
