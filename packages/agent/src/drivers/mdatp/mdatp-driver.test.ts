import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { applyConfiguration } from '../../apply/apply-configuration.js';
import { contextIn, expectGolden, settingsOf, tempRoot } from '../test-support.js';
import { MDATP_MANAGED_FILE, MdatpDriver } from './mdatp-driver.js';

const golden = (name: string) => join(import.meta.dirname, 'golden', name);

const POLICY = settingsOf({
  'antivirus.realTimeProtection': true,
  'antivirus.behaviorMonitoring': true,
  'antivirus.cloudProtection': true,
  'antivirus.scanArchives': false,
  'antivirus.puaProtection': 'block',
  'antivirus.cloudBlockLevel': 'high',
  'exclusions.paths': ['/var/lib/postgresql/', '/srv/cache/data.db'],
  'exclusions.extensions': ['log', '.tmp'],
  'exclusions.processes': ['/usr/bin/rsync'],
  'exclusions.mergePolicy': 'admin-only',
});

describe('MdatpDriver', () => {
  it('writes mdatp_managed.json with the documented keys and reports each setting', async () => {
    const root = tempRoot();
    const outcome = await new MdatpDriver().apply(POLICY, contextIn(root));
    expect(outcome.results.map((r) => [r.id, r.status])).toEqual(
      POLICY.map((s) => [s.id, 'succeeded']),
    );
    const text = readFileSync(join(root, MDATP_MANAGED_FILE), 'utf8');
    expectGolden(golden('policy.json'), text);
    const written = JSON.parse(text);
    expect(written.antivirusEngine.enforcementLevel).toBe('real_time');
    expect(written.antivirusEngine.exclusionsMergePolicy).toBe('admin_only');
    expect(written.antivirusEngine.threatTypeSettings).toEqual([
      { key: 'potentially_unwanted_application', value: 'block' },
    ]);
    expect(written.antivirusEngine.exclusions).toContainEqual({
      $type: 'excludedPath',
      isDirectory: true,
      path: '/var/lib/postgresql/',
    });
    expect(written.antivirusEngine.exclusions).toContainEqual({
      $type: 'excludedFileExtension',
      extension: '.log',
    });
  });

  it('keeps keys Palisade does not manage, and the previous version beside the file', async () => {
    const root = tempRoot();
    const path = join(root, MDATP_MANAGED_FILE);
    const driver = new MdatpDriver();
    const first = await driver.apply(POLICY, contextIn(root));
    const local = JSON.parse(readFileSync(path, 'utf8'));
    local.edr = { groupIds: 'set-by-hand' };
    writeFileSync(path, JSON.stringify(local));
    const smaller = settingsOf({ 'exclusions.paths': ['/opt/app/'] });
    const second = await driver.apply(smaller, contextIn(root, first.applied));
    expect(second.results).toEqual([
      { id: 'exclusions.paths', status: 'succeeded', target: 'mdatp' },
    ]);
    const written = JSON.parse(readFileSync(path, 'utf8'));
    // Settings dropped from the configuration are removed; the hand-set key stays.
    expect(written).toEqual({
      antivirusEngine: {
        exclusions: [{ $type: 'excludedPath', isDirectory: true, path: '/opt/app/' }],
      },
      edr: { groupIds: 'set-by-hand' },
    });
    expect(JSON.parse(readFileSync(`${path}.palisade-prev`, 'utf8')).edr).toEqual({
      groupIds: 'set-by-hand',
    });
  });

  it('reports real-time protection not-applicable while passive mode holds the enforcement level', async () => {
    const root = tempRoot();
    const driver = new MdatpDriver();
    // Defender for Linux's own defaults: passive mode on, real-time protection off.
    const outcome = await driver.apply(
      settingsOf({ 'antivirus.passiveMode': true, 'antivirus.realTimeProtection': false }),
      contextIn(root),
    );
    expect(outcome.results).toEqual([
      {
        id: 'antivirus.realTimeProtection',
        status: 'not-applicable',
        target: 'mdatp',
        error:
          'antivirus.passiveMode is on: Defender runs in passive mode, which takes the place of antivirusEngine.enforcementLevel',
      },
      { id: 'antivirus.passiveMode', status: 'succeeded', target: 'mdatp' },
    ]);
    const path = join(root, MDATP_MANAGED_FILE);
    expect(JSON.parse(readFileSync(path, 'utf8')).antivirusEngine.enforcementLevel).toBe('passive');
    // Passive mode switched off: real-time protection decides again.
    const after = await driver.apply(
      settingsOf({ 'antivirus.passiveMode': false, 'antivirus.realTimeProtection': true }),
      contextIn(root, outcome.applied),
    );
    expect(after.results.map((r) => [r.id, r.status])).toEqual([
      ['antivirus.passiveMode', 'succeeded'],
      ['antivirus.realTimeProtection', 'succeeded'],
    ]);
    expect(JSON.parse(readFileSync(path, 'utf8')).antivirusEngine.enforcementLevel).toBe(
      'real_time',
    );
  });

  it('does not rewrite an unchanged file, so the previous version stays the one before', async () => {
    const root = tempRoot();
    const driver = new MdatpDriver();
    const first = await driver.apply(POLICY, contextIn(root));
    const second = await driver.apply(POLICY, contextIn(root, first.applied));
    expect(second.results.every((r) => r.status === 'succeeded')).toBe(true);
    expect(existsSync(join(root, `${MDATP_MANAGED_FILE}.palisade-prev`))).toBe(false);
  });

  it('reports a setting changed behind its back as drifted, with what it found, and re-applies it', async () => {
    const root = tempRoot();
    const path = join(root, MDATP_MANAGED_FILE);
    const driver = new MdatpDriver();
    const first = await driver.apply(POLICY, contextIn(root));
    const edited = JSON.parse(readFileSync(path, 'utf8'));
    edited.cloudService.enabled = false;
    writeFileSync(path, JSON.stringify(edited));
    const second = await driver.apply(POLICY, contextIn(root, first.applied));
    expect(second.results.find((r) => r.id === 'antivirus.cloudProtection')).toEqual({
      id: 'antivirus.cloudProtection',
      status: 'drifted',
      target: 'mdatp',
      observed: false,
    });
    expect(second.results.filter((r) => r.status === 'succeeded')).toHaveLength(POLICY.length - 1);
    expect(JSON.parse(readFileSync(path, 'utf8')).cloudService.enabled).toBe(true);
  });

  it('fails every setting and leaves the file as it was when it cannot write', async () => {
    const root = tempRoot();
    // A directory where the file's folder should be: the write fails with the system's error.
    writeFileSync(join(root, 'etc'), 'not a directory');
    const outcome = await new MdatpDriver().apply(POLICY, contextIn(root));
    expect(
      outcome.results.every(
        (r) => r.status === 'failed' && /ENOTDIR|not a directory/.test(r.error ?? ''),
      ),
    ).toBe(true);
    expect(existsSync(join(root, MDATP_MANAGED_FILE))).toBe(false);
  });

  it('reports settings no driver here expresses as not-applicable, and conflicts as conflicts', async () => {
    const root = tempRoot();
    const outcome = await applyConfiguration(
      {
        settings: settingsOf({
          'asr.rules': { '56a863a9-875e-4185-98a7-b882c64b5ce5': 'block' },
          'antivirus.scanArchives': true,
        }),
        conflicts: [
          {
            id: 'antivirus.cloudProtection',
            candidates: [
              { policyId: 'a', policyName: 'A', version: 1, value: true },
              { policyId: 'b', policyName: 'B', version: 2, value: false },
            ],
          },
        ],
      },
      [new MdatpDriver()],
      contextIn(root),
      {},
    );
    expect(outcome.results.map((r) => [r.id, r.status])).toEqual([
      ['antivirus.cloudProtection', 'conflict'],
      ['asr.rules', 'not-applicable'],
      ['antivirus.scanArchives', 'succeeded'],
    ]);
    expect(outcome.applied.mdatp).toEqual({ 'antivirus.scanArchives': true });
  });
});
