import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { type CommandRunner, runCommand } from '../drivers/commands.js';
import { MdatpDriver } from '../drivers/mdatp/mdatp-driver.js';
import { collectFacts, readFactsOverrides } from './collect.js';
import { collectLinuxFacts, installedSoftware, parseOsRelease } from './linux.js';
import { parseMdmEnrollment, parseSwVers } from './macos.js';
import { MDE_DEVICE_TAGGING_KEY, parseWindowsFacts, WINDOWS_FACTS_SCRIPT } from './windows.js';

const fixture = (name: string) => readFileSync(join(import.meta.dirname, 'fixtures', name), 'utf8');

describe('facts', () => {
  it('parses os-release with quoted values', () => {
    const fields = parseOsRelease(
      'PRETTY_NAME="Debian GNU/Linux 12 (bookworm)"\nID=debian\nVERSION_ID="12"\n# comment\n',
    );
    expect(fields).toEqual({
      PRETTY_NAME: 'Debian GNU/Linux 12 (bookworm)',
      ID: 'debian',
      VERSION_ID: '12',
    });
  });

  it('collects this Linux machine for real', async () => {
    const facts = await collectLinuxFacts(runCommand);
    expect(facts.platform).toBe('linux');
    expect(facts.osVersion).toMatch(/\S/);
    expect(facts.hostname).toMatch(/\S/);
    // Debian's package database lists at least node's own dependencies' packages.
    expect(facts.installedSoftware?.length ?? 0).toBeGreaterThan(0);
    expect(facts.installedSoftware?.[0]).toMatch(/^\S+ \S+$/);
  });

  it('lists installed software from dpkg (installed packages only), else from rpm', async () => {
    const dpkg: CommandRunner = async (command) =>
      command === 'dpkg-query'
        ? {
            code: 0,
            stdout:
              'ii \tbash 5.2.15-2+b7\nrc \told-kernel 6.1.0-9\nii \tclamav-daemon 1.4.3+dfsg-1\n',
            stderr: '',
          }
        : { code: 127, stdout: '', stderr: 'not found' };
    expect(await installedSoftware(dpkg)).toEqual([
      'bash 5.2.15-2+b7',
      'clamav-daemon 1.4.3+dfsg-1',
    ]);
    const rpm: CommandRunner = async (command) =>
      command === 'rpm'
        ? { code: 0, stdout: 'bash 5.1.8-9.el9\nopenssl 3.0.7-27.el9\n', stderr: '' }
        : { code: null, stdout: '', stderr: 'spawn dpkg-query ENOENT' };
    expect(await installedSoftware(rpm)).toEqual(['bash 5.1.8-9.el9', 'openssl 3.0.7-27.el9']);
    const neither: CommandRunner = async () => ({ code: null, stdout: '', stderr: 'ENOENT' });
    expect(await installedSoftware(neither)).toEqual([]);
  });

  it('parses sw_vers and the MDM enrollment of a Mac', () => {
    expect(parseSwVers(fixture('sw_vers.txt'))).toEqual({
      osName: 'macOS 14.5',
      osVersion: '14.5',
      build: '23F79',
    });
    expect(parseMdmEnrollment('Enrolled via DEP: No\nMDM enrollment: Yes (User Approved)\n')).toBe(
      true,
    );
    expect(parseMdmEnrollment('Enrolled via DEP: No\nMDM enrollment: No\n')).toBe(false);
  });

  it('parses a Windows Server Core domain controller managed by Configuration Manager', () => {
    expect(parseWindowsFacts(fixture('windows-server-core-dc.json'))).toEqual({
      hostname: 'DC01',
      domain: 'corp.contoso.com',
      platform: 'windows-server',
      osVersion: '10.0.20348.2527',
      osName: 'Windows Server 2022 Datacenter',
      architecture: '64-bit',
      isDomainController: true,
      isServerCore: true,
      powershellLanguageMode: 'FullLanguage',
      nonPersistentVdi: false,
      directoryJoin: null,
      mdmManaged: false,
      configMgrManaged: true,
      tags: ['tier0', 'MDE-Management'],
    });
  });

  it('parses an Entra-joined, MDM-enrolled Windows client in ConstrainedLanguage mode', () => {
    const facts = parseWindowsFacts(fixture('windows-client-entra.json'));
    expect(facts.platform).toBe('windows-client');
    expect(facts.domain).toBeNull();
    expect(facts.powershellLanguageMode).toBe('ConstrainedLanguage');
    expect(facts.directoryJoin).toEqual({
      tenantId: '72f988bf-86f1-41af-91ab-2d7cd011db47',
      deviceId: '5a2b7e44-1c3d-4f6a-9b8e-0d1c2e3f4a5b',
    });
    expect(facts.mdmManaged).toBe(true);
    expect(facts.tags).toEqual(['kiosk']);
  });

  it('detects a non-persistent VDI instance from the Defender for Endpoint VDI device tag', () => {
    const facts = parseWindowsFacts(fixture('windows-vdi-nonpersistent.json'));
    expect(facts).toMatchObject({
      hostname: 'AVD-POOL-3',
      platform: 'windows-client',
      osName: 'Windows 11 Enterprise multi-session',
      nonPersistentVdi: true,
      tags: [],
    });
    // The script reads the documented key and prints the value under the name the parser reads.
    expect(WINDOWS_FACTS_SCRIPT).toContain(
      "(Get-ItemProperty 'HKLM:\\SOFTWARE\\Policies\\Microsoft\\Windows Advanced Threat Protection\\DeviceTagging').VDI",
    );
    expect(WINDOWS_FACTS_SCRIPT).toMatch(/MdeVdiTag = \$vdi/);
    expect(MDE_DEVICE_TAGGING_KEY).toMatch(/^HKLM:/);
  });

  it('reads the VDI tag without case, and anything else (or no tag) as persistent', () => {
    const withTag = (tag: unknown) =>
      parseWindowsFacts(
        JSON.stringify({
          ...JSON.parse(fixture('windows-vdi-nonpersistent.json')),
          MdeVdiTag: tag,
        }),
      ).nonPersistentVdi;
    expect(withTag('nonpersistent')).toBe(true);
    expect(withTag(' NonPersistent ')).toBe(true);
    expect(withTag('Persistent')).toBe(false);
    expect(withTag('')).toBe(false);
    expect(withTag(null)).toBe(false);
    // Output of the script before it read the tag: no MdeVdiTag at all.
    const { MdeVdiTag: _dropped, ...older } = JSON.parse(fixture('windows-vdi-nonpersistent.json'));
    expect(parseWindowsFacts(JSON.stringify(older)).nonPersistentVdi).toBe(false);
  });

  it('overrides collected facts from --facts and takes tags from the agent config file', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-facts-'));
    writeFileSync(
      join(dir, 'facts.json'),
      JSON.stringify({ hostname: 'web-07', platform: 'linux', isDomainController: false }),
    );
    writeFileSync(join(dir, 'agent.json'), JSON.stringify({ tags: ['web'] }));
    const facts = await collectFacts({
      run: runCommand,
      drivers: [new MdatpDriver()],
      stateConfigFile: join(dir, 'agent.json'),
      factsFile: join(dir, 'facts.json'),
      extraTags: ['trial'],
      osPlatform: 'linux',
    });
    expect(facts.hostname).toBe('web-07');
    expect(facts.tags).toEqual(['web', 'trial']);
    expect(facts.agentVersion).toBe('0.1.0');
    expect(facts.installedTargets).toEqual(['mdatp']);
  });

  it('rejects a facts file with an unknown key or a bad value, naming the field', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'palisade-facts-'));
    writeFileSync(join(dir, 'bad.json'), JSON.stringify({ hostnme: 'x', platform: 'beos' }));
    await expect(readFactsOverrides(join(dir, 'bad.json'))).rejects.toThrow(
      /platform: .*hostnme|hostnme.*platform/s,
    );
  });
});
