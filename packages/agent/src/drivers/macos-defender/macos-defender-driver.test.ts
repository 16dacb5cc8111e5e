import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { build, type PlistObject, parse } from 'plist';
import { describe, expect, it } from 'vitest';
import { contextIn, expectGolden, settingsOf, tempRoot } from '../test-support.js';
import { MacosDefenderDriver, WDAV_PLIST_FILE } from './macos-defender-driver.js';

describe('MacosDefenderDriver', () => {
  it('writes the com.microsoft.wdav plist, which a plist parser reads back', async () => {
    const root = tempRoot();
    const settings = settingsOf({
      'antivirus.realTimeProtection': true,
      'antivirus.behaviorMonitoring': false,
      'antivirus.puaProtection': 'block',
      'exclusions.paths': ['/Users/Shared/cache/'],
      'exclusions.extensions': ['.pdf'],
      'exclusions.mergePolicy': 'merge',
    });
    const outcome = await new MacosDefenderDriver().apply(settings, contextIn(root));
    expect(outcome.results.every((r) => r.status === 'succeeded')).toBe(true);
    const text = readFileSync(join(root, WDAV_PLIST_FILE), 'utf8');
    expectGolden(join(import.meta.dirname, 'golden', 'com.microsoft.wdav.plist'), text);
    expect(parse(text)).toEqual({
      antivirusEngine: {
        enforcementLevel: 'real_time',
        threatTypeSettings: [{ key: 'potentially_unwanted_application', value: 'block' }],
        exclusions: [
          { $type: 'excludedFileExtension', extension: 'pdf' },
          { $type: 'excludedPath', isDirectory: true, path: '/Users/Shared/cache/' },
        ],
        exclusionsMergePolicy: 'merge',
      },
      features: { behaviorMonitoring: 'disabled' },
    });
  });

  it('reports a preference changed on the Mac as drifted, with what it found, and writes it back', async () => {
    const root = tempRoot();
    const path = join(root, WDAV_PLIST_FILE);
    const settings = settingsOf({
      'antivirus.behaviorMonitoring': false,
      'exclusions.paths': ['/Users/Shared/cache/'],
    });
    const driver = new MacosDefenderDriver();
    const first = await driver.apply(settings, contextIn(root));
    const edited = parse(readFileSync(path, 'utf8')) as PlistObject;
    (edited.features as PlistObject).behaviorMonitoring = 'enabled';
    writeFileSync(path, build(edited));
    const second = await driver.apply(settings, contextIn(root, first.applied));
    expect(second.results).toEqual([
      {
        id: 'antivirus.behaviorMonitoring',
        status: 'drifted',
        target: 'macos-defender',
        observed: 'enabled',
      },
      { id: 'exclusions.paths', status: 'succeeded', target: 'macos-defender' },
    ]);
    const back = parse(readFileSync(path, 'utf8')) as PlistObject;
    expect((back.features as PlistObject).behaviorMonitoring).toBe('disabled');
  });
});
