/**
 * The contract between the settings catalog and the drivers: every setting the catalog maps to a
 * target is expressed by that target's driver, and turns into a native fragment for its default
 * value. Windows settings kept outside Set-MpPreference (EDR configuration-service values, scan
 * times as time-of-day objects, per-threat default actions, tamper protection) are listed here on
 * purpose: on a Windows machine they are reported not-applicable.
 */
import { type EffectiveSetting, type JsonValue, SETTINGS } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { catalogNativeMapping } from './catalog.js';
import { NotExpressibleError } from './driver.js';
import { allDrivers } from './registry.js';

const WINDOWS_NOT_EXPRESSED = [
  'antivirus.onAccessProtection',
  'antivirus.quickScanTime',
  'antivirus.scanTime',
  'antivirus.threatDefaultActions',
  'edr.sampleSharing',
  'edr.telemetryReportingFrequency',
  'securityExperience.tamperProtection',
];

describe('catalog coverage of the drivers', () => {
  for (const driver of allDrivers(catalogNativeMapping)) {
    it(`${driver.target} expresses every setting the catalog maps to it`, () => {
      const missing = SETTINGS.filter(
        (setting) => setting.native[driver.target] && !driver.expresses(setting.id),
      ).map((setting) => setting.id);
      expect(missing).toEqual(driver.target === 'windows-defender' ? WINDOWS_NOT_EXPRESSED : []);
    });
  }

  it('turns each default value into a native fragment', () => {
    const codecs = allDrivers(catalogNativeMapping).map(
      (driver) =>
        [
          driver,
          (driver as unknown as { codec: { fragment(s: EffectiveSetting): JsonValue } }).codec,
        ] as const,
    );
    for (const setting of SETTINGS) {
      if (setting.default === null) continue;
      for (const [driver, codec] of codecs) {
        if (!driver.expresses(setting.id)) continue;
        const effective: EffectiveSetting = { id: setting.id, value: setting.default, sources: [] };
        try {
          codec.fragment(effective);
        } catch (error) {
          if (!(error instanceof NotExpressibleError)) throw error;
          throw new Error(
            `${driver.target} cannot express the default of ${setting.id}: ${error.message}`,
          );
        }
      }
    }
  });
});
