/**
 * Microsoft Defender for Endpoint on Linux: the managed configuration file
 * `/etc/opt/microsoft/mdatp/managed/mdatp_managed.json`. Defender watches the file and applies it
 * without a restart; managed values override local ones. Merge policies are settings like any other
 * (`antivirusEngine.exclusionsMergePolicy`, `threatTypeSettingsMergePolicy`): with `merge`, the
 * exclusions a local administrator added through `mdatp` stay in force beside the managed ones,
 * with `admin_only` only the managed list counts. Either way Palisade owns only the managed file.
 */
import { existsSync } from 'node:fs';
import type { EffectiveSetting } from '@palisade/core';
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

export const MDATP_MANAGED_FILE = '/etc/opt/microsoft/mdatp/managed/mdatp_managed.json';

/** The file's JSON text as the driver writes it: 2-space indentation, a final newline. */
export function renderMdatpManaged(config: JsonObject): string {
  return `${JSON.stringify(config, null, 2)}\n`;
}

export function parseMdatpManaged(text: string): JsonObject {
  const parsed: unknown = JSON.parse(text);
  if (!isObject(parsed as JsonObject)) throw new Error('mdatp_managed.json is not a JSON object');
  return parsed as JsonObject;
}

class MdatpFile implements NativeTarget<JsonObject> {
  async read(context: DriverContext): Promise<JsonObject> {
    const text = await readTextIfExists(rootedPath(context.root, MDATP_MANAGED_FILE));
    if (text === null) return {};
    try {
      return parseMdatpManaged(text);
    } catch (error) {
      // A file Defender cannot read either: Palisade rewrites it whole (the old one is kept).
      context.log(`mdatp: ${MDATP_MANAGED_FILE} is not valid JSON, rewriting it: ${String(error)}`);
      return {};
    }
  }

  async write(config: JsonObject, context: DriverContext): Promise<void> {
    await writeFileAtomic(rootedPath(context.root, MDATP_MANAGED_FILE), renderMdatpManaged(config));
  }
}

export class MdatpDriver implements Driver {
  readonly target = 'mdatp' as const;
  private readonly codec: JsonTreeCodec;
  private readonly file = new MdatpFile();

  constructor(lookup: NativeMappingLookup = catalogNativeMapping) {
    this.codec = new JsonTreeCodec(defenderSlotResolver('linux', 'mdatp', lookup));
  }

  /** The product's install directory (not the managed folder, which the driver itself creates). */
  detect(root: string): boolean {
    return existsSync(rootedPath(root, '/opt/microsoft/mdatp'));
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
