/**
 * `clamd.conf`: one directive a line (`Name value`), `#` comments. Palisade writes its directives in
 * one marked block at the end of the file and comments out (with a marker) any line outside the
 * block that sets a directive Palisade now manages, so the file says who decides what. Everything
 * else in the distribution's file is kept as it is.
 */
import type { EffectiveSetting, JsonValue } from '@palisade/core';
import { type NativeMappingLookup, translateValue } from '../catalog.js';
import { type NativeCodec, NotExpressibleError } from '../driver.js';

export const BLOCK_BEGIN = '# BEGIN Palisade managed settings (palisade-agent rewrites this block)';
export const BLOCK_END = '# END Palisade managed settings';
export const REPLACED_MARKER = '#palisade-replaced# ';

export type ClamdLine =
  | {
      readonly kind: 'directive';
      readonly name: string;
      readonly value: string;
      readonly managed: boolean;
    }
  | { readonly kind: 'text'; readonly text: string };

export interface ClamdConf {
  readonly lines: readonly ClamdLine[];
}

export function parseClamdConf(text: string): ClamdConf {
  const lines: ClamdLine[] = [];
  let inBlock = false;
  for (const raw of text.split('\n')) {
    const trimmed = raw.trim();
    if (trimmed === BLOCK_BEGIN) inBlock = true;
    else if (trimmed === BLOCK_END) inBlock = false;
    else if (trimmed !== '' && !trimmed.startsWith('#')) {
      const match = /^(\S+)\s*(.*)$/.exec(trimmed);
      if (match) {
        lines.push({
          kind: 'directive',
          name: match[1] as string,
          value: match[2] as string,
          managed: inBlock,
        });
        continue;
      }
    }
    if (!inBlock && trimmed !== BLOCK_BEGIN && trimmed !== BLOCK_END)
      lines.push({ kind: 'text', text: raw });
  }
  while (lines.length > 0 && isBlank(lines[lines.length - 1])) lines.pop();
  return { lines };
}

function isBlank(line: ClamdLine | undefined): boolean {
  return line?.kind === 'text' && line.text.trim() === '';
}

export function renderClamdConf(conf: ClamdConf): string {
  const outside = conf.lines
    .filter((line) => line.kind === 'text' || !line.managed)
    .map((line) => (line.kind === 'text' ? line.text : `${line.name} ${line.value}`));
  const block = conf.lines
    .filter(
      (line): line is Extract<ClamdLine, { kind: 'directive' }> =>
        line.kind === 'directive' && line.managed,
    )
    .map((line) => `${line.name} ${line.value}`);
  const parts = [...outside];
  while (parts.length > 0 && parts[parts.length - 1]?.trim() === '') parts.pop();
  if (block.length > 0)
    parts.push(...(parts.length > 0 ? [''] : []), BLOCK_BEGIN, ...block, BLOCK_END);
  return `${parts.join('\n')}\n`;
}

/** The value of the first-found single directive, as clamd reads it (directive names ignore case). */
export function directiveValue(conf: ClamdConf, name: string): string | undefined {
  let found: string | undefined;
  for (const line of conf.lines) {
    if (line.kind === 'directive' && line.name.toLowerCase() === name.toLowerCase())
      found = line.value;
  }
  return found;
}

/** One directive a setting writes, single or repeated. */
interface ClamdPart {
  readonly directive: string;
  readonly multi: boolean;
  /** The directive values for the setting value. */
  readonly toNative: (value: JsonValue) => string[];
  /** For directives two settings share (ExcludePath): whether a value belongs to this setting. */
  readonly owns: (nativeValue: string) => boolean;
}

/**
 * How a setting lands in clamd.conf. Most settings write one directive, and their fragment is its
 * value (or sorted values). A setting that writes several directives (a path exclusion is both
 * ExcludePath, for clamd, and OnAccessExcludePath, for clamonacc) has as fragment an object of
 * directive → sorted values, so read-back and drift compare every directive it owns.
 */
interface ClamdSlot {
  readonly parts: readonly ClamdPart[];
}

const single = (part: ClamdPart): ClamdSlot => ({ parts: [part] });

const ERE_SPECIALS = /[.[\]()+{}|^$\\]/g;

/**
 * ExcludePath takes a POSIX extended regular expression matched against the full path. A Defender
 * style path becomes an anchored expression: a folder (trailing `/`) excludes everything below it,
 * a file only itself; `*` stays within one folder level and `?` is one character, as in Defender.
 */
export function pathToExcludeRegex(path: string): string {
  const body = path
    .replace(ERE_SPECIALS, (char) => `\\${char}`)
    .replace(/\*/g, '[^/]*')
    .replace(/\?/g, '[^/]');
  return path.endsWith('/') ? `^${body}` : `^${body}$`;
}

/**
 * OnAccessExcludePath is not a regular expression: clamonacc compares it as a plain folder path
 * (with its dynamic directory determination it stops watching that folder and everything below
 * it; its path matching is a prefix of the file path). So only a folder without wildcards has an
 * on-access form: `/srv/cache/` becomes `/srv/cache`, without the trailing `/` (clamonacc looks the
 * folder up as written, and `/srv/cache/` is not the folder it watches). A single file or a
 * wildcard path has none: widening it to its folder or to the text before the wildcard would
 * exclude more than the policy says, so it stays excluded only where clamd sees the path
 * (ExcludePath) and clamonacc started with --fdpass or --stream still scans it. Returns undefined
 * for those.
 */
export function pathToOnAccessExclude(path: string): string | undefined {
  if (!path.endsWith('/') || /[*?]/.test(path)) return undefined;
  return path === '/' ? '/' : path.replace(/\/+$/, '');
}

/** A file extension exclusion: any file whose name ends with `.ext`. */
export function extensionToExcludeRegex(extension: string): string {
  return `\\.${extension.replace(/^\./, '').replace(ERE_SPECIALS, (char) => `\\${char}`)}$`;
}

const isExtensionRegex = (value: string): boolean => /^\\\.[^/^]*\$$/.test(value);

const yesNo = (value: JsonValue): string[] => [value === true || value === 'yes' ? 'yes' : 'no'];
const stringList = (value: JsonValue): string[] => {
  if (!Array.isArray(value) || value.some((item) => typeof item !== 'string')) {
    throw new NotExpressibleError('expected a list of strings');
  }
  return value as string[];
};

function knownSlot(settingId: string): ClamdSlot | undefined {
  switch (settingId) {
    case 'exclusions.paths':
      // clamd applies ExcludePath to the path it is asked to scan; clamonacc started with
      // --fdpass or --stream hands clamd an open file or its bytes, no path, so ExcludePath
      // cannot match and on-access scanning needs its own OnAccessExcludePath.
      return {
        parts: [
          {
            directive: 'ExcludePath',
            multi: true,
            toNative: (value) => stringList(value).map(pathToExcludeRegex),
            owns: (native) => !isExtensionRegex(native),
          },
          {
            directive: 'OnAccessExcludePath',
            multi: true,
            toNative: (value) =>
              stringList(value)
                .map(pathToOnAccessExclude)
                .filter((native): native is string => native !== undefined),
            owns: () => true,
          },
        ],
      };
    case 'exclusions.extensions':
      // No on-access form: OnAccessExcludePath is a folder, not a file name pattern.
      return single({
        directive: 'ExcludePath',
        multi: true,
        toNative: (value) => stringList(value).map(extensionToExcludeRegex),
        owns: isExtensionRegex,
      });
    case 'antivirus.scanArchives':
      return single({ directive: 'ScanArchive', multi: false, toNative: yesNo, owns: () => true });
    case 'antivirus.puaProtection':
      // clamd only reports; "block" and "audit" both mean: detect PUA.
      return single({
        directive: 'DetectPUA',
        multi: false,
        toNative: (value) => [value === 'off' ? 'no' : 'yes'],
        owns: () => true,
      });
    default:
      return undefined;
  }
}

/** A directive the catalog maps (native name = the directive), values translated. */
function catalogSlot(lookup: NativeMappingLookup, settingId: string): ClamdSlot | undefined {
  const mapping = lookup(settingId, 'clamav');
  if (!mapping || !/^[A-Za-z]+$/.test(mapping.name)) return undefined;
  return single({
    directive: mapping.name,
    multi: true,
    toNative: (value) => {
      const native = translateValue(mapping, value);
      if (Array.isArray(native)) return stringList(native);
      if (typeof native === 'boolean') return yesNo(native);
      if (native === null) return [];
      if (typeof native === 'object')
        throw new NotExpressibleError('a structured value has no clamd.conf form');
      return [String(native)];
    },
    owns: () => true,
  });
}

/** clamd reads yes/true/1 and no/false/0 alike; compare them as one. */
function normalise(value: string): string {
  const lower = value.toLowerCase();
  if (lower === 'true' || lower === '1') return 'yes';
  if (lower === 'false' || lower === '0') return 'no';
  return value;
}

export class ClamdConfCodec implements NativeCodec<ClamdConf> {
  constructor(private readonly lookup: NativeMappingLookup) {}

  private slotOf(settingId: string): ClamdSlot | undefined {
    return knownSlot(settingId) ?? catalogSlot(this.lookup, settingId);
  }

  expresses(settingId: string): boolean {
    return this.slotOf(settingId) !== undefined;
  }

  fragment(setting: EffectiveSetting): JsonValue {
    const slot = this.requireSlot(setting.id);
    const partFragment = (part: ClamdPart): JsonValue => {
      const values = part.toNative(setting.value).map(normalise);
      return part.multi ? [...values].sort() : (values[0] ?? null);
    };
    const [only] = slot.parts;
    if (slot.parts.length === 1 && only) return partFragment(only);
    return Object.fromEntries(slot.parts.map((part) => [part.directive, partFragment(part)]));
  }

  observe(conf: ClamdConf, settingId: string): JsonValue | undefined {
    const slot = this.requireSlot(settingId);
    const partObserved = (part: ClamdPart): JsonValue | undefined => {
      const values = conf.lines
        .filter((line) => line.kind === 'directive' && sameName(line.name, part.directive))
        .map((line) => normalise((line as { value: string }).value))
        .filter(part.owns);
      if (part.multi) return values.sort();
      return values[values.length - 1];
    };
    const [only] = slot.parts;
    if (slot.parts.length === 1 && only) return partObserved(only);
    return Object.fromEntries(
      slot.parts.map((part) => [part.directive, partObserved(part) ?? null]),
    );
  }

  render(
    fragments: ReadonlyMap<string, JsonValue>,
    current: ClamdConf,
    previouslyManaged: readonly string[],
  ): ClamdConf {
    const cleared = new Set([...previouslyManaged, ...fragments.keys()]);
    const claimed = [...fragments.keys()].flatMap((id) => this.requireSlot(id).parts);
    const lines: ClamdLine[] = [];
    for (const line of current.lines) {
      if (line.kind === 'text') {
        lines.push(restoreReplaced(line, claimed));
        continue;
      }
      const owner = [...cleared]
        .flatMap((id) => this.slotOf(id)?.parts ?? [])
        .find((part) => ownsLine(part, line));
      if (line.managed && owner) continue;
      // The loop guard Palisade added last time: worked out again below from the new lines.
      if (line.managed && isLoopGuard(line) && !claimed.some((part) => ownsLine(part, line)))
        continue;
      // A local line for a directive Palisade now sets: kept visible, but commented out.
      if (!line.managed && claimed.some((part) => ownsLine(part, line))) {
        lines.push({ kind: 'text', text: `${REPLACED_MARKER}${line.name} ${line.value}` });
        continue;
      }
      lines.push(line);
    }
    for (const [id, fragment] of fragments) {
      const { parts } = this.requireSlot(id);
      for (const part of parts) {
        const partFragment =
          parts.length === 1 ? fragment : (fragment as Record<string, JsonValue>)[part.directive];
        for (const value of nativeValues(partFragment))
          lines.push({ kind: 'directive', name: part.directive, value, managed: true });
      }
    }
    return { lines: withOnAccessLoopGuard(lines) };
  }

  private requireSlot(settingId: string): ClamdSlot {
    const slot = this.slotOf(settingId);
    if (!slot) throw new NotExpressibleError(`${settingId} has no clamd.conf directive`);
    return slot;
  }
}

/**
 * clamonacc refuses to start unless clamd.conf names a process owner whose file accesses it
 * ignores (OnAccessExcludeUID, OnAccessExcludeUname, or OnAccessExcludeRootUID set to yes): clamd
 * opening a file to scan it would otherwise be one more access to scan, in a loop. A stock
 * distribution file sets none of them, so on-access paths written alone would never be watched.
 */
const LOOP_GUARD_DIRECTIVES = [
  'OnAccessExcludeUID',
  'OnAccessExcludeUname',
  'OnAccessExcludeRootUID',
];

/** Whether a line is one of the loop-guard directives (whatever its value). */
function isLoopGuard(line: Extract<ClamdLine, { kind: 'directive' }>): boolean {
  return LOOP_GUARD_DIRECTIVES.some((name) => sameName(line.name, name));
}

/** Whether clamonacc takes the line as a guard: OnAccessExcludeRootUID is a yes/no switch. */
function guardsLoop(line: ClamdLine): boolean {
  if (line.kind !== 'directive' || !isLoopGuard(line)) return false;
  return !sameName(line.name, 'OnAccessExcludeRootUID') || normalise(line.value) === 'yes';
}

/** The account clamd runs as when clamd.conf has no User directive to say (Debian's, Ubuntu's). */
export const DEFAULT_CLAMD_USER = 'clamav';

/**
 * When Palisade writes on-access folders (OnAccessIncludePath) and the file has no loop guard of
 * its own, Palisade adds `OnAccessExcludeUname <clamd's user>` in its block. The user is the one
 * clamd drops to, from the User directive (Debian: clamav; Fedora's scan.conf: clamscan); the
 * account name rather than its UID because clamonacc resolves it on the machine, and the same
 * name is right on every machine of a fleet where UIDs differ. Without User, clamav.
 *
 * The line belongs to no setting: `render` drops it every time and adds it back only while both
 * conditions hold, so it goes when the on-access folders go or when a guard of the machine's own
 * appears, and a guard that was in the file before is kept and never doubled. Removed by hand, it
 * is put back at the next apply; it is not reported as drift of antivirus.onAccessPaths, whose
 * fragment stays the folder list.
 */
function withOnAccessLoopGuard(lines: ClamdLine[]): ClamdLine[] {
  const writesOnAccess = lines.some(
    (line) =>
      line.kind === 'directive' && line.managed && sameName(line.name, 'OnAccessIncludePath'),
  );
  if (!writesOnAccess || lines.some(guardsLoop)) return lines;
  const user = directiveValue({ lines }, 'User')?.trim() || DEFAULT_CLAMD_USER;
  return [
    ...lines,
    { kind: 'directive', name: 'OnAccessExcludeUname', value: user, managed: true },
  ];
}

function sameName(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}

function ownsLine(part: ClamdPart, line: Extract<ClamdLine, { kind: 'directive' }>): boolean {
  return sameName(line.name, part.directive) && part.owns(normalise(line.value));
}

/** The directive values a part's fragment stands for (a list, one value, or none). */
function nativeValues(fragment: JsonValue | undefined): string[] {
  if (Array.isArray(fragment)) return fragment.map(String);
  if (fragment === null || fragment === undefined) return [];
  return [String(fragment)];
}

/** A line Palisade commented out comes back when Palisade no longer sets that directive. */
function restoreReplaced(
  line: Extract<ClamdLine, { kind: 'text' }>,
  claimed: readonly ClamdPart[],
): ClamdLine {
  if (!line.text.startsWith(REPLACED_MARKER)) return line;
  const match = /^(\S+)\s*(.*)$/.exec(line.text.slice(REPLACED_MARKER.length).trim());
  if (!match) return line;
  const directive: ClamdLine = {
    kind: 'directive',
    name: match[1] as string,
    value: match[2] as string,
    managed: false,
  };
  return claimed.some((part) => ownsLine(part, directive)) ? line : directive;
}
