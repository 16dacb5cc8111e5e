/**
 * Microsoft Defender for Endpoint on macOS: the managed preferences of the domain
 * `com.microsoft.wdav`, as the property list `/Library/Managed Preferences/com.microsoft.wdav.plist`
 * (what a configuration profile installs). Same keys as Linux's managed JSON, in plist form.
 */
import { existsSync } from 'node:fs';
import type { EffectiveSetting, JsonValue } from '@palisade/core';
import { build as buildPlist, type PlistValue, parse as parsePlist } from 'plist';
import { catalogNativeMapping, type NativeMappingLookup } from '../catalog.js';
import { defenderSlotResolver } from '../defender-slots.js';
import {
  type ApplyContext,
  applyThroughCodec,
  type Driver,
  type DriverApplyResult,
  type DriverContext,
  type NativeTarget,
} from '../driver.js';
import { isObject, type JsonObject, JsonTreeCodec } from '../json-tree.js';
import { readTextIfExists, rootedPath, writeFileAtomic } from '../native-file.js';

export const WDAV_PLIST_FILE = '/Library/Managed Preferences/com.microsoft.wdav.plist';

export function renderWdavPlist(config: JsonObject): string {
  return `${buildPlist(config as PlistValue)}\n`;
}

export function parseWdavPlist(text: string): JsonObject {
  const parsed = parsePlist(text);
  const json = toJson(parsed);
  if (!isObject(json)) throw new Error('com.microsoft.wdav.plist does not hold a dictionary');
  return json;
}

/** Plist values as JSON (dates and data do not occur in Defender's preferences; kept as text). */
function toJson(value: PlistValue): JsonValue {
  if (Array.isArray(value)) return value.map(toJson);
  if (value instanceof Date) return value.toISOString();
  if (value instanceof Uint8Array) return Buffer.from(value).toString('base64');
  if (value !== null && typeof value === 'object') {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, toJson(item)]));
  }
  return value as JsonValue;
}

class WdavPlist implements NativeTarget<JsonObject> {
  async read(context: DriverContext): Promise<JsonObject> {
    const text = await readTextIfExists(rootedPath(context.root, WDAV_PLIST_FILE));
    if (text === null) return {};
    try {
      return parseWdavPlist(text);
    } catch (error) {
      context.log(
        `macos-defender: ${WDAV_PLIST_FILE} is not a valid plist, rewriting it: ${String(error)}`,
      );
      return {};
    }
  }

  async write(config: JsonObject, context: DriverContext): Promise<void> {
    await writeFileAtomic(rootedPath(context.root, WDAV_PLIST_FILE), renderWdavPlist(config));
  }
}

export class MacosDefenderDriver implements Driver {
  readonly target = 'macos-defender' as const;
  private readonly codec: JsonTreeCodec;
  private readonly file = new WdavPlist();

  constructor(lookup: NativeMappingLookup = catalogNativeMapping) {
    this.codec = new JsonTreeCodec(defenderSlotResolver('macos', 'macos-defender', lookup));
  }

  detect(root: string): boolean {
    return existsSync(rootedPath(root, '/Applications/Microsoft Defender.app'));
  }

  expresses(settingId: string): boolean {
    return this.codec.expresses(settingId);
  }

  apply(settings: readonly EffectiveSetting[], context: ApplyContext): Promise<DriverApplyResult> {
    return applyThroughCodec(this.target, this.codec, this.file, settings, context);
  }

  async readBack(context: DriverContext): Promise<JsonObject> {
    return this.file.read(context);
  }
}
