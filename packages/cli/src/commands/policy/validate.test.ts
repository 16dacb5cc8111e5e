/**
 * `palisade policy validate`, run as an administrator runs it: the built binary on real files
 * in a temporary directory.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const dir = mkdtempSync(join(tmpdir(), 'palisade-policy-validate-'));

function palisade(args: readonly string[]) {
  const result = spawnSync(process.execPath, [`${repoRoot}packages/cli/dist/main.js`, ...args], {
    cwd: dir,
    encoding: 'utf8',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

function file(name: string, text: string): string {
  writeFileSync(join(dir, name), text);
  return name;
}

beforeAll(() => {
  execFileSync('flock', ['/tmp/palisade-cli-build.lock', 'npx', 'tsc', '-b', 'packages/cli'], {
    cwd: repoRoot,
    stdio: 'inherit',
  });
});

afterAll(() => {
  rmSync(dir, { recursive: true, force: true });
});

/** The documented example: a dynamic group, a policy, an asset rule and tenant settings. */
const EXAMPLE = `kind: Group
name: linux-servers
rule: (device.deviceOSType -eq "Linux")      # dynamic group
---
kind: Policy
name: linux-exclusions
description: optional text
platform: linux                               # windows | macos | linux
profile: antivirus-exclusions
settings:
  exclusions.paths: [/var/lib/postgresql/, /srv/cache/]
assignments:
  include: [linux-servers]
  exclude: []
  filter: { mode: include, rule: '(device.deviceName -startsWith "db")' }
---
kind: AssetRule
name: tag-web
rule: (device.deviceName -startsWith "web")
tag: internet-facing
---
kind: TenantSettings
enforcementScope: { linux: all, macos: { tagged: MDE-Management }, windows-client: off, windows-server: all }
configMgrAuthority: false
cloudConnector: false
domainControllers: false
checkInIntervalMinutes: 90
`;

describe('palisade policy validate', () => {
  it('accepts the documented example and exits 0', () => {
    const result = palisade(['policy', 'validate', file('example.yaml', EXAMPLE)]);
    expect(result).toEqual({ code: 0, stdout: 'valid: 4 documents in 1 file\n', stderr: '' });
  });

  it('prints every problem as FILE:LINE: path: message and exits 1', () => {
    const name = file(
      'bad.yaml',
      `kind: Policy
name: win-av
platform: windows
profile: antivirus
settings:
  antivirus.cloudBlockLevel: 7
  antivirus.emailScanning: true
  exclusions.paths:
    - C:\\Data\\
---
kind: Group
name: bad-group
rule: |
  (device.deviceOSType -eq "Linux") and
  (device.nosuch -eq "x")
---
kind: Policy
name: fw
platform: linux
profile: firewall-rules
settings:
  firewall.rules:
    - name: web
      direction: in
      action: allow
      protocol: tcp
      localPorts: ["443", "70000"]
      program: /usr/sbin/nginx
---
kind: Policy
name: wse
platform: windows
profile: security-experience
settings: {}
`,
    );
    const result = palisade(['policy', 'validate', name]);
    expect(result.code).toBe(1);
    expect(result.stdout.trimEnd().split('\n')).toEqual([
      'bad.yaml:6: settings.antivirus.cloudBlockLevel: 7 is not one of default, moderate, high, high-plus, zero-tolerance',
      'bad.yaml:8: settings.exclusions.paths: belongs to the antivirus-exclusions profile, not antivirus; move it to a policy of that profile',
      "bad.yaml:15: rule: Attribute not supported. 'device.nosuch' is not a property of device rules.",
      'bad.yaml:27: settings.firewall.rules[0].localPorts[1]: 70000 is not a port: ports run from 1 to 65535',
      'bad.yaml:28: settings.firewall.rules[0].program: is a Windows field; Linux policies cannot use it',
      expect.stringMatching(
        /^bad\.yaml:33: profile: the security-experience profile \(Windows Security Experience\) is not delivered/,
      ),
    ]);
    expect(result.stderr).toBe('6 problems in 4 documents\n');
  });

  it('reads JSON, one document or an array', () => {
    const one = file('one.json', JSON.stringify({ kind: 'Group', name: 'g', members: ['web-01'] }));
    const many = file(
      'many.json',
      `[
  { "kind": "Group", "name": "h", "members": ["web-02"] },
  {
    "kind": "Policy", "name": "mac-av", "platform": "macos", "profile": "antivirus",
    "settings": { "antivirus.puaProtection": "maybe" }
  }
]
`,
    );
    expect(palisade(['policy', 'validate', one]).code).toBe(0);
    const result = palisade(['policy', 'validate', many]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'many.json:5: settings.antivirus.puaProtection: "maybe" is not one of off, audit, block\n',
    );
  });

  it('reports syntax errors with their line', () => {
    expect(
      palisade(['policy', 'validate', file('broken.json', '{\n  "kind": "Group",,\n}\n')]).stdout,
    ).toMatch(/^broken\.json:2: not valid JSON: /);
    expect(
      palisade(['policy', 'validate', file('dup.yaml', 'kind: Group\nname: a\nname: b\n')]).stdout,
    ).toBe('dup.yaml:3: Map keys must be unique\n');
    expect(palisade(['policy', 'validate', file('empty.yaml', '# nothing here\n')]).stdout).toBe(
      'empty.yaml:1: the file holds no documents\n',
    );
  });

  it('finds names defined twice across files, pointing at the first', () => {
    const a = file('a.yaml', 'kind: Group\nname: pilot\nmembers: [a]\n');
    const b = file('b.yaml', '# the same group again\nkind: Group\nname: pilot\nmembers: [b]\n');
    const result = palisade(['policy', 'validate', a, b]);
    expect(result.code).toBe(1);
    expect(result.stdout).toBe(
      'b.yaml:3: name: Group pilot is defined more than once; names must be unique (first at a.yaml:2)\n',
    );
  });

  it('prints JSON with --json', () => {
    const result = palisade([
      'policy',
      'validate',
      '--json',
      file('j.yaml', 'kind: Grup\nname: x\n'),
    ]);
    expect(result.code).toBe(1);
    expect(JSON.parse(result.stdout)).toEqual({
      valid: false,
      documents: 1,
      files: 1,
      problems: [
        {
          file: 'j.yaml',
          line: 1,
          path: 'kind',
          message:
            '"Grup" is not one of Group, Policy, AssetRule, TenantSettings; did you mean Group?',
        },
      ],
    });
  });

  it('exits 2 on usage errors and unreadable files', () => {
    expect(palisade(['policy', 'validate']).code).toBe(2);
    const missing = palisade(['policy', 'validate', 'no-such-file.yaml']);
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('palisade: cannot read the documents: ENOENT');
  });

  it('has help describing the documents', () => {
    const result = palisade(['policy', 'validate', '--help']);
    expect(result.code).toBe(0);
    expect(result.stdout).toContain('kind: TenantSettings');
  });
});
