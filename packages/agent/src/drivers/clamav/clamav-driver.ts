/**
 * ClamAV on Linux: the directives of clamd.conf (ExcludePath, ScanArchive, DetectPUA, and any
 * directive the catalog maps, such as the OnAccess* paths), then a restart of clamd so they are in
 * force. Writing on-access folders also writes the loop guard clamonacc needs to start
 * (OnAccessExcludeUname, see clamd-conf.ts) when the file has none. If clamd refuses the new file,
 * the previous one is put back and clamd restarted on it: the target stays at its previous version
 * and every setting reports clamd's error.
 */
import { existsSync } from 'node:fs';
import type { EffectiveSetting } from '@palisade/core';
import { catalogNativeMapping, type NativeMappingLookup } from '../catalog.js';
import { CodecDriver } from '../codec-driver.js';
import {
  type ApplyContext,
  type DriverApplyResult,
  type DriverContext,
  errorMessage,
  type NativeTarget,
} from '../driver.js';
import { readTextIfExists, restorePrevious, rootedPath, writeFileAtomic } from '../native-file.js';
import {
  type ClamdConf,
  ClamdConfCodec,
  parseClamdConf,
  pathToOnAccessExclude,
  renderClamdConf,
} from './clamd-conf.js';
import { CLAMD_BINARIES, restartClamd } from './clamd-service.js';

/** Debian and Ubuntu; RHEL and Fedora keep it at /etc/clamd.d/scan.conf. */
export const CLAMD_CONF_FILES = ['/etc/clamav/clamd.conf', '/etc/clamd.d/scan.conf'] as const;

export function clamdConfPath(root: string): string {
  const found = CLAMD_CONF_FILES.find((path) => existsSync(rootedPath(root, path)));
  return rootedPath(root, found ?? CLAMD_CONF_FILES[0]);
}

class ClamdConfFile implements NativeTarget<ClamdConf> {
  async read(context: DriverContext): Promise<ClamdConf> {
    const text = await readTextIfExists(clamdConfPath(context.root));
    return parseClamdConf(text ?? '');
  }

  async write(conf: ClamdConf, context: DriverContext): Promise<void> {
    const path = clamdConfPath(context.root);
    const existed = existsSync(path);
    const text = renderClamdConf(conf);
    // Unchanged: no write, and above all no restart of clamd.
    if (text === ((await readTextIfExists(path)) ?? '')) return;
    await writeFileAtomic(path, text);
    try {
      await restartClamd(path, conf, context);
    } catch (error) {
      context.log(`clamav: clamd did not take the new configuration, restoring the previous one`);
      await restorePrevious(path, existed);
      const previous = parseClamdConf((await readTextIfExists(path)) ?? '');
      await restartClamd(path, previous, context, { startIfStopped: true }).catch(
        (again: unknown) =>
          context.log(
            `clamav: restarting clamd on the previous configuration failed too: ${errorMessage(again)}`,
          ),
      );
      throw error;
    }
  }
}

/**
 * Agents before OnAccessExcludePath kept a path exclusion's fragment as the ExcludePath list alone.
 * They wrote no OnAccessExcludePath, so that fragment is the two-directive one with an empty
 * on-access list; read so, the first apply after an upgrade compares like with like instead of
 * reporting the exclusion as drifted.
 */
function withCurrentFragments(context: ApplyContext): ApplyContext {
  const previous = context.lastApplied['exclusions.paths'];
  if (!Array.isArray(previous)) return context;
  return {
    ...context,
    lastApplied: {
      ...context.lastApplied,
      'exclusions.paths': { ExcludePath: previous, OnAccessExcludePath: [] },
    },
  };
}

export class ClamavDriver extends CodecDriver<ClamdConf> {
  readonly target = 'clamav' as const;

  constructor(lookup: NativeMappingLookup = catalogNativeMapping) {
    super(new ClamdConfCodec(lookup), new ClamdConfFile());
  }

  override apply(
    settings: readonly EffectiveSetting[],
    context: ApplyContext,
  ): Promise<DriverApplyResult> {
    // A file or wildcard path exclusion has no OnAccessExcludePath form (see clamd-conf.ts): say so
    // in the log rather than leave it unmentioned; the setting itself is in force for clamd.
    const paths = settings.find((setting) => setting.id === 'exclusions.paths')?.value;
    const clamdOnly = Array.isArray(paths)
      ? paths.filter(
          (path): path is string =>
            typeof path === 'string' && pathToOnAccessExclude(path) === undefined,
        )
      : [];
    if (clamdOnly.length > 0) {
      context.log(
        `clamav: ${clamdOnly.join(', ')}: excluded for clamd (ExcludePath) only; clamonacc with ` +
          '--fdpass or --stream still scans them (OnAccessExcludePath takes whole folders only)',
      );
    }
    return super.apply(settings, withCurrentFragments(context));
  }

  /** The daemon's binary (not clamd.conf, which the driver itself may create). */
  detect(root: string): boolean {
    return CLAMD_BINARIES.some((path) => existsSync(rootedPath(root, path)));
  }

  override async readBack(
    context: DriverContext,
  ): Promise<{ file: string; directives: Record<string, string[]> }> {
    const conf = await this.native.read(context);
    const directives: Record<string, string[]> = {};
    for (const line of conf.lines) {
      if (line.kind !== 'directive') continue;
      directives[line.name] = [...(directives[line.name] ?? []), line.value];
    }
    return { file: clamdConfPath(context.root), directives };
  }
}
