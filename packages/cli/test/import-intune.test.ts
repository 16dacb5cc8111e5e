/**
 * `palisade import intune` on hand-built fixtures in the shape Microsoft Graph returns
 * (`deviceManagementConfigurationPolicy` with settings[].settingInstance and assignments), one
 * per endpoint-security template: each maps to the expected Palisade documents, every setting it
 * cannot map is reported, and the documents pass `policy validate`.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validateDocument } from '@palisade/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { convertIntunePolicy, palisadeName } from '../src/documents/intune.js';

const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));
const fixtures = join(repoRoot, 'packages/cli/test/fixtures/intune');
const work = mkdtempSync(join(tmpdir(), 'palisade-intune-'));

beforeAll(() => {
  execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repoRoot, stdio: 'inherit' });
});

afterAll(() => rmSync(work, { recursive: true, force: true }));

function fixture(name: string): unknown {
  return JSON.parse(readFileSync(join(fixtures, name), 'utf8'));
}

function palisade(args: readonly string[]) {
  const result = spawnSync(
    process.execPath,
    [join(repoRoot, 'packages/cli/dist/main.js'), ...args],
    {
      cwd: work,
      encoding: 'utf8',
    },
  );
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

describe('convertIntunePolicy', () => {
  it('antivirus: choices and integers through the catalog, unknown settings reported', () => {
    const result = convertIntunePolicy(fixture('antivirus.json'), 'antivirus.json');
    expect(result.documents).toEqual([
      {
        kind: 'Policy',
        name: 'Windows AV baseline',
        description: 'Windows AV baseline (exported from Intune)',
        platform: 'windows',
        profile: 'antivirus',
        settings: {
          'antivirus.cloudBlockLevel': 'high',
          'antivirus.puaProtection': 'block',
          'antivirus.realTimeProtection': true,
          'antivirus.scanArchives': true,
          'antivirus.scanCpuLoadFactor': 50,
          'antivirus.userUiAccess': true,
        },
        assignments: {
          include: ['7d8e1f2a-1111-4a2b-9c3d-000000000001'],
          exclude: ['7d8e1f2a-1111-4a2b-9c3d-000000000002'],
        },
      },
    ]);
    expect(result.unmapped).toEqual([
      'device_vendor_msft_policy_config_defender_somefuturesetting: no Palisade setting corresponds',
      'assignments name Entra group ids (7d8e1f2a-1111-4a2b-9c3d-000000000001, 7d8e1f2a-1111-4a2b-9c3d-000000000002): create Palisade groups with those names, or rename them in the documents',
    ]);
  });

  it('exclusions: string collections become the exclusion lists', () => {
    const [document] = convertIntunePolicy(fixture('exclusions.json'), 'x').documents;
    expect(document).toMatchObject({
      profile: 'antivirus-exclusions',
      settings: {
        'exclusions.paths': ['C:\\Data\\Cache\\', 'D:\\Scratch\\'],
        'exclusions.extensions': ['.log', '.tmp'],
        'exclusions.processes': ['C:\\Program Files\\App\\app.exe'],
      },
    });
  });

  it('EDR: the ATP configuration node maps; onboarding and all-devices assignments are reported', () => {
    const result = convertIntunePolicy(fixture('edr.json'), 'edr.json');
    expect(result.documents).toHaveLength(1);
    expect(result.documents[0]).toMatchObject({
      profile: 'edr',
      settings: { 'edr.sampleSharing': true },
      assignments: { include: [] },
    });
    expect(result.unmapped).toEqual([
      'device_vendor_msft_windowsadvancedthreatprotection_configurationtype: no Palisade setting corresponds',
      'assignment #microsoft.graph.allDevicesAssignmentTarget: only Entra groups carry over; add a Palisade group for it',
    ]);
  });

  it('ASR: each rule child by its settings-catalog id (irregular ids included) and mode', () => {
    const result = convertIntunePolicy(fixture('asr.json'), 'asr.json');
    expect(result.documents[0]).toMatchObject({
      profile: 'attack-surface-reduction',
      settings: {
        'asr.rules': {
          'be9ba2d9-53ea-4cdc-84e5-9b1eeee46550': 'block',
          // Its settings-catalog id is not the rule's name run together.
          '9e6c4e1f-7d60-472f-ba1a-a39ef669e4b2': 'audit',
          'a8f5898e-1dc8-49a9-9878-85004b8a61e6': 'warn',
        },
        'asr.exclusions': ['C:\\Tools\\build.exe'],
      },
    });
    expect(result.unmapped[0]).toBe(
      'device_vendor_msft_policy_config_defender_attacksurfacereductionrules_blocknosuchthing: not an ASR rule this catalog knows',
    );
  });

  it('firewall: one structured rule per group of children, every Firewall CSP rule field mapped', () => {
    const result = convertIntunePolicy(fixture('firewall.json'), 'firewall.json');
    expect(result.documents[0]).toMatchObject({
      profile: 'firewall-rules',
      settings: {
        'firewall.rules': [
          {
            name: 'Allow HTTPS in',
            direction: 'in',
            action: 'allow',
            protocol: 'tcp',
            localPorts: ['443'],
            enabled: true,
            profiles: ['domain', 'private'],
            // A choice in the settings catalog (…_edgetraversal_1).
            edgeTraversal: true,
            remoteAddressDynamicKeywords: ['{01234567-89ab-cdef-0123-456789abcdef}'],
            packageFamilyName: 'Microsoft.WindowsCalculator_8wekyb3d8bbwe',
            policyAppId: 'Contoso.Web',
          },
          {
            name: 'Block telnet out',
            direction: 'out',
            action: 'block',
            protocol: 'tcp',
            remotePorts: ['23'],
            // A plain value in older exports.
            edgeTraversal: false,
            interfaceTypes: ['lan'],
            fqbn: 'O=CONTOSO, L=REDMOND, S=WASHINGTON, C=US\\TELNET\\TELNET.EXE\\*',
            localUserAuthorizedList: 'D:(A;;CC;;;S-1-5-32-544)',
          },
          {
            name: 'Allow ping in',
            direction: 'in',
            action: 'allow',
            protocol: 'icmp',
            icmpTypes: ['8:*', '0:0'],
            // The CSP's MBB, spelled out by the settings catalog.
            interfaceTypes: ['wireless', 'mobile-broadband'],
          },
        ],
      },
    });
    // Nothing of the rules is left out: only the assignment's group id is reported.
    expect(result.unmapped).toEqual([
      'assignments name Entra group ids (7d8e1f2a-1111-4a2b-9c3d-000000000001): create Palisade groups with those names, or rename them in the documents',
    ]);
  });

  it('Linux: managed keys through the catalog, exclusions by type, split per profile', () => {
    const result = convertIntunePolicy(fixture('linux-antivirus.json'), 'linux-antivirus.json');
    expect(result.documents.map((d) => [d.name, d.platform, d.profile, d.settings])).toEqual([
      [
        'Linux AV antivirus',
        'linux',
        'antivirus',
        {
          'antivirus.cloudBlockLevel': 'high',
          'antivirus.cloudProtection': true,
          'antivirus.onDemandScanThreads': 2,
          'antivirus.realTimeProtection': true,
          'antivirus.scanArchives': true,
        },
      ],
      [
        'Linux AV antivirus-exclusions',
        'linux',
        'antivirus-exclusions',
        {
          'exclusions.extensions': ['.log'],
          // A directory gets its trailing slash, as Palisade writes folders.
          'exclusions.paths': ['/var/lib/postgresql/', '/srv/cache/file.db'],
          'exclusions.processes': ['postgres'],
        },
      ],
    ]);
    expect(result.unmapped[0]).toBe(
      'linux_mdatp_managed_antivirusengine_somefuturekey: no Palisade setting corresponds',
    );
  });

  it('produces documents that validate, for every template', () => {
    for (const name of readdirSync(fixtures)) {
      for (const document of convertIntunePolicy(fixture(name), name).documents) {
        const result = validateDocument(document);
        expect(result.ok ? [] : result.problems, `${name}`).toEqual([]);
      }
    }
  });

  it('refuses what is not a policy, and keeps names within the document format', () => {
    expect(convertIntunePolicy([], 'list.json').unmapped).toEqual([
      'list.json: not a deviceManagementConfigurationPolicy object',
    ]);
    expect(palisadeName('AV: Servers/Prod (2026)')).toBe('AV- Servers-Prod -2026-');
  });
});

describe('palisade import intune', () => {
  it('writes one document per policy and reports what it left out; --strict exits 1', () => {
    const files = readdirSync(fixtures).map((name) => join(fixtures, name));
    const out = join(work, 'imported');
    const run = palisade(['import', 'intune', ...files, '--out', out]);
    expect(run.code).toBe(0);
    expect(run.stdout).toBe(`Wrote 7 policy document(s) to ${join(out, 'policies')}.\n`);
    expect(run.stderr).toMatch(/antivirus\.json: not imported: .*somefuturesetting/);
    expect(run.stderr).toMatch(/10 item\(s\) not imported/);
    expect(readdirSync(join(out, 'policies')).sort()).toEqual([
      'Linux-AV-antivirus-exclusions.yaml',
      'Linux-AV-antivirus.yaml',
      'Windows-ASR.yaml',
      'Windows-AV-baseline.yaml',
      'Windows-EDR.yaml',
      'Windows-exclusions.yaml',
      'Windows-firewall-rules.yaml',
    ]);
    expect(palisade(['policy', 'validate', out]).code).toBe(0);
    expect(palisade(['import', 'intune', ...files, '--strict']).code).toBe(1);
    expect(palisade(['import', 'intune', join(work, 'missing.json')]).code).toBe(2);
  });
});
