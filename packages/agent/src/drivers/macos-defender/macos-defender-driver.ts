/**
 * Microsoft Defender for Endpoint on macOS: the managed preferences of the domain
 * `com.microsoft.wdav`, as the property list `/Library/Managed Preferences/com.microsoft.wdav.plist`
 * (what a configuration profile installs). Same keys as Linux's managed JSON, in plist form.
 */
import { existsSync } from 'node:fs';
import type { JsonValue } from '@palisade/core';
import { build as buildPlist, type PlistValue, parse as parsePlist } from 'plist';
import { catalogNativeMapping, type NativeMappingLookup } from '../catalog.js';
import { CodecDriver } from '../codec-driver.js';
import { defenderSlotResolver } from '../defender-slots.js';
import { isObject, type JsonObject, JsonTreeCodec } from '../json-tree.js';
import { type DocumentFormat, ManagedDocumentFile } from '../managed-document.js';
import { rootedPath } from '../native-file.js';

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

const WDAV_PLIST: DocumentFormat = {
  path: WDAV_PLIST_FILE,
  invalid: 'not a valid plist',
  parse: parseWdavPlist,
  render: renderWdavPlist,
};

export class MacosDefenderDriver extends CodecDriver<JsonObject> {
  readonly target = 'macos-defender' as const;

  constructor(lookup: NativeMappingLookup = catalogNativeMapping) {
    super(
      new JsonTreeCodec(defenderSlotResolver('macos', 'macos-defender', lookup)),
      new ManagedDocumentFile('macos-defender', WDAV_PLIST),
    );
  }

  detect(root: string): boolean {
    return existsSync(rootedPath(root, '/Applications/Microsoft Defender.app'));
  }
}
