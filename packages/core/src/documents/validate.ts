/**
 * Validation of parsed policy documents (YAML / JSON already turned into values; no parsing of
 * files here). Returns every problem at once with its path inside the document, or the
 * normalised document. A Policy's settings are checked against the catalog
 * (validateSettings) and its rules with the rule parser, so one call says all that is wrong.
 */
import { closestMatches, validateSettings } from '../catalog/index.js';
import {
  type EnforcementScope,
  type JsonValue,
  PLATFORMS,
  type Platform,
  POLICY_PLATFORMS,
  type PolicyPlatform,
  PROFILES,
  type Profile,
} from '../model.js';
import { parseRule, type RuleSchemaName } from '../rules/index.js';
import {
  type AssetRuleDocument,
  DOCUMENT_KINDS,
  type DocumentKind,
  type DocumentProblem,
  type GroupDocument,
  type PalisadeDocument,
  type PolicyDocument,
  type TenantSettingsDocument,
} from './types.js';

type Path = readonly (string | number)[];
type Fields = Readonly<Record<string, unknown>>;

/**
 * Names of groups, policies and asset rules: what `include: [...]` refers to. A document accepts
 * every name the REST API accepts (1 to 200 characters, trimmed), so that any object made in the
 * portal or through the API exports and plans back unchanged; control characters are refused
 * because they cannot be read back from a YAML file reliably.
 */
const MAX_NAME = 200;
const NAME_RULE = `a name of 1 to ${MAX_NAME} characters, without control characters or spaces at either end`;

function isObjectName(value: string): boolean {
  return (
    value.length > 0 && value.length <= MAX_NAME && value.trim() === value && !/\p{Cc}/u.test(value)
  );
}
const MAX_MEMBERS = 10_000;
const MAX_GROUPS_PER_ASSIGNMENT = 200;
const MAX_DESCRIPTION = 1024;
const MAX_TAG = 128;
const CHECK_IN_MINUTES = { min: 5, max: 1440 } as const;

/** The fields each kind accepts (besides `kind`). */
const FIELDS: Readonly<Record<DocumentKind, readonly string[]>> = {
  Group: ['name', 'description', 'rule', 'members'],
  Policy: ['name', 'description', 'platform', 'profile', 'settings', 'assignments'],
  AssetRule: ['name', 'description', 'rule', 'tag'],
  TenantSettings: [
    'securitySettingsManagement',
    'enforcementScope',
    'configMgrAuthority',
    'cloudConnector',
    'domainControllers',
    'checkInIntervalMinutes',
  ],
};

/** Collects problems while reading one document. */
class Reader {
  readonly problems: DocumentProblem[] = [];

  add(path: Path, message: string, rulePosition?: DocumentProblem['rulePosition']): void {
    this.problems.push(rulePosition ? { path, message, rulePosition } : { path, message });
  }

  /** Reports fields not in `allowed`, with a suggestion when one is close. */
  unknownFields(fields: Fields, allowed: readonly string[], path: Path, what: string): void {
    for (const key of Object.keys(fields)) {
      if (key === 'kind' && path.length === 0) continue;
      if (allowed.includes(key)) continue;
      const close = closestMatches(key, allowed, 1);
      const hint =
        close.length > 0 ? `; did you mean ${close[0]}?` : `; ${what} takes ${allowed.join(', ')}`;
      this.add([...path, key], `is not a field of ${withArticle(what)}${hint}`);
    }
  }

  string(
    fields: Fields,
    key: string,
    path: Path,
    required: boolean,
    max = MAX_DESCRIPTION,
  ): string | undefined {
    const value = fields[key];
    if (value === undefined || value === null) {
      if (required) this.add([...path, key], 'is required');
      return undefined;
    }
    if (typeof value !== 'string' || value.trim() === '') {
      this.add([...path, key], `must be non-empty text, not ${show(value)}`);
      return undefined;
    }
    if (value.length > max) {
      this.add([...path, key], `is ${value.length} characters long; at most ${max} are allowed`);
      return undefined;
    }
    return value;
  }

  name(fields: Fields, key: string, path: Path): string | undefined {
    const value = this.string(fields, key, path, true);
    if (value !== undefined && !isObjectName(value)) {
      this.add([...path, key], `${show(value)} is not ${NAME_RULE}`);
      return undefined;
    }
    return value;
  }

  boolean(fields: Fields, key: string, path: Path): boolean | undefined {
    const value = fields[key];
    if (value === undefined) return undefined;
    if (typeof value !== 'boolean')
      this.add([...path, key], `must be true or false, not ${show(value)}`);
    return typeof value === 'boolean' ? value : undefined;
  }

  choice<T extends string>(
    fields: Fields,
    key: string,
    path: Path,
    options: readonly T[],
  ): T | undefined {
    const value = fields[key];
    if (value === undefined || value === null) {
      this.add([...path, key], `is required: one of ${options.join(', ')}`);
      return undefined;
    }
    const found = options.find((option) => option === value);
    if (found !== undefined) return found;
    const close = typeof value === 'string' ? closestMatches(value, options, 1) : [];
    const hint = close.length > 0 ? `; did you mean ${close[0]}?` : '';
    this.add([...path, key], `${show(value)} is not one of ${options.join(', ')}${hint}`);
    return undefined;
  }

  /** A rule in the given vocabulary, checked with the rule parser. */
  rule(fields: Fields, key: string, path: Path, schema: RuleSchemaName): string | undefined {
    const text = this.string(fields, key, path, true, Number.MAX_SAFE_INTEGER);
    if (text === undefined) return undefined;
    const parsed = parseRule(text, schema);
    if (parsed.ok) return text;
    for (const diagnostic of parsed.diagnostics) {
      this.add([...path, key], diagnostic.message, {
        line: diagnostic.line,
        column: diagnostic.column,
      });
    }
    return undefined;
  }

  /** A list of distinct non-empty strings; `check` validates each item. */
  names(
    value: unknown,
    path: Path,
    max: number,
    check: (item: string) => string | null = () => null,
  ): string[] | undefined {
    if (!Array.isArray(value)) {
      this.add(path, `must be a list, not ${show(value)}`);
      return undefined;
    }
    if (value.length > max) this.add(path, `has ${value.length} items; at most ${max} are allowed`);
    const seen = new Set<string>();
    let ok = value.length <= max;
    value.forEach((item: unknown, index) => {
      const problem =
        typeof item !== 'string' || item.trim() === ''
          ? `must be non-empty text, not ${show(item)}`
          : seen.has(item)
            ? `${show(item)} is listed twice`
            : check(item);
      if (problem) {
        this.add([...path, index], problem);
        ok = false;
      }
      if (typeof item === 'string') seen.add(item);
    });
    return ok ? (value as string[]) : undefined;
  }
}

function withArticle(what: string): string {
  return /^[aeiou]/i.test(what) ? `an ${what}` : `a ${what}`;
}

function show(value: unknown): string {
  if (value === undefined) return 'nothing';
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}

function isFields(value: unknown): value is Fields {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

function nameProblem(item: string): string | null {
  return isObjectName(item) ? null : `${show(item)} is not ${NAME_RULE}`;
}

function readGroup(fields: Fields, reader: Reader): GroupDocument | undefined {
  reader.unknownFields(fields, FIELDS.Group, [], 'Group');
  const name = reader.name(fields, 'name', []);
  const description = reader.string(fields, 'description', [], false);
  const hasRule = fields.rule !== undefined;
  const hasMembers = fields.members !== undefined;
  if (hasRule === hasMembers) {
    reader.add(
      [],
      hasRule
        ? 'a group has either a rule (dynamic) or members (assigned), not both'
        : 'a group needs a rule (dynamic group) or members (assigned group)',
    );
    return undefined;
  }
  const base = { kind: 'Group' as const, ...(description ? { description } : {}) };
  if (hasRule) {
    const rule = reader.rule(fields, 'rule', [], 'device');
    return name !== undefined && rule !== undefined ? { ...base, name, rule } : undefined;
  }
  const members = reader.names(fields.members, ['members'], MAX_MEMBERS);
  return name !== undefined && members !== undefined ? { ...base, name, members } : undefined;
}

function readAssignments(
  value: unknown,
  reader: Reader,
): PolicyDocument['assignments'] | undefined {
  const path = ['assignments'];
  if (value === undefined) return { include: [], exclude: [], filter: null };
  if (!isFields(value)) {
    reader.add(path, `must be a mapping with include, exclude and filter, not ${show(value)}`);
    return undefined;
  }
  reader.unknownFields(value, ['include', 'exclude', 'filter'], path, 'assignments');
  const include =
    value.include === undefined
      ? []
      : reader.names(value.include, [...path, 'include'], MAX_GROUPS_PER_ASSIGNMENT, nameProblem);
  const exclude =
    value.exclude === undefined
      ? []
      : reader.names(value.exclude, [...path, 'exclude'], MAX_GROUPS_PER_ASSIGNMENT, nameProblem);
  const included: readonly unknown[] = Array.isArray(value.include) ? value.include : [];
  (exclude ?? []).forEach((group, index) => {
    if (included.includes(group)) {
      reader.add(
        [...path, 'exclude', index],
        `${group} is both included and excluded; exclusion wins, so the include has no effect`,
      );
    }
  });
  let filter: PolicyDocument['assignments']['filter'] = null;
  let filterOk = true;
  if (value.filter !== undefined && value.filter !== null) {
    const filterPath = [...path, 'filter'];
    if (!isFields(value.filter)) {
      reader.add(filterPath, `must be a mapping with mode and rule, not ${show(value.filter)}`);
      filterOk = false;
    } else {
      reader.unknownFields(value.filter, ['mode', 'rule'], filterPath, 'filter');
      const mode = reader.choice(value.filter, 'mode', filterPath, ['include', 'exclude'] as const);
      const rule = reader.rule(value.filter, 'rule', filterPath, 'filter');
      if (mode !== undefined && rule !== undefined) filter = { mode, rule };
      else filterOk = false;
    }
  }
  if (include === undefined || exclude === undefined || !filterOk) return undefined;
  return { include, exclude, filter };
}

function readSettings(
  value: unknown,
  platform: PolicyPlatform | undefined,
  profile: Profile | undefined,
  reader: Reader,
): Readonly<Record<string, JsonValue>> | undefined {
  if (value === undefined || value === null) {
    reader.add(['settings'], 'is required: a mapping of setting id to value');
    return undefined;
  }
  if (!isFields(value)) {
    reader.add(['settings'], `must be a mapping of setting id to value, not ${show(value)}`);
    return undefined;
  }
  // Without a valid platform and profile the catalog cannot judge the values.
  if (platform === undefined || profile === undefined) return undefined;
  const problems = validateSettings(platform, profile, value);
  for (const problem of problems) {
    const isProfileProblem = problem.settingId === profile || problem.settingId === '';
    reader.add(
      isProfileProblem ? ['profile'] : ['settings', problem.settingId, ...(problem.path ?? [])],
      problem.message,
    );
  }
  return problems.length === 0 ? (value as Readonly<Record<string, JsonValue>>) : undefined;
}

function readPolicy(fields: Fields, reader: Reader): PolicyDocument | undefined {
  reader.unknownFields(fields, FIELDS.Policy, [], 'Policy');
  const name = reader.name(fields, 'name', []);
  const description = reader.string(fields, 'description', [], false);
  const platform = reader.choice(fields, 'platform', [], POLICY_PLATFORMS);
  const profile = reader.choice(fields, 'profile', [], PROFILES);
  const settings = readSettings(fields.settings, platform, profile, reader);
  const assignments = readAssignments(fields.assignments, reader);
  if (
    name === undefined ||
    platform === undefined ||
    profile === undefined ||
    settings === undefined ||
    assignments === undefined
  ) {
    return undefined;
  }
  return {
    kind: 'Policy',
    name,
    ...(description ? { description } : {}),
    platform,
    profile,
    settings,
    assignments,
  };
}

function readAssetRule(fields: Fields, reader: Reader): AssetRuleDocument | undefined {
  reader.unknownFields(fields, FIELDS.AssetRule, [], 'AssetRule');
  const name = reader.name(fields, 'name', []);
  const description = reader.string(fields, 'description', [], false);
  const rule = reader.rule(fields, 'rule', [], 'asset');
  const tag = reader.string(fields, 'tag', [], true, MAX_TAG);
  if (name === undefined || rule === undefined || tag === undefined) return undefined;
  return { kind: 'AssetRule', name, ...(description ? { description } : {}), rule, tag };
}

/** `off`, `all` or `{ tagged: <tag> }`, as the file writes an enforcement scope. */
function readScope(value: unknown, path: Path, reader: Reader): EnforcementScope | undefined {
  if (value === 'off' || value === 'all') return { mode: value };
  if (isFields(value) && Object.keys(value).length === 1 && typeof value.tagged === 'string') {
    if (value.tagged.trim() !== '' && value.tagged.length <= MAX_TAG) {
      return { mode: 'tagged', tag: value.tagged };
    }
  }
  reader.add(
    path,
    `${show(value)} is not an enforcement scope: write off, all, or { tagged: <tag> }`,
  );
  return undefined;
}

function readEnforcementScope(
  value: unknown,
  reader: Reader,
): Partial<Record<Platform, EnforcementScope>> | undefined {
  const path = ['enforcementScope'];
  if (!isFields(value)) {
    reader.add(path, `must be a mapping of platform to scope, not ${show(value)}`);
    return undefined;
  }
  const scopes: Partial<Record<Platform, EnforcementScope>> = {};
  let ok = true;
  for (const [key, scopeValue] of Object.entries(value)) {
    const platform = PLATFORMS.find((p) => p === key);
    if (platform === undefined) {
      const hint =
        key === 'windows'
          ? '; scope Windows as windows-client and windows-server'
          : `; platforms are ${PLATFORMS.join(', ')}`;
      reader.add([...path, key], `is not a platform${hint}`);
      ok = false;
      continue;
    }
    const scope = readScope(scopeValue, [...path, key], reader);
    if (scope) scopes[platform] = scope;
    else ok = false;
  }
  return ok ? scopes : undefined;
}

function readTenantSettings(fields: Fields, reader: Reader): TenantSettingsDocument | undefined {
  reader.unknownFields(fields, FIELDS.TenantSettings, [], 'TenantSettings');
  const before = reader.problems.length;
  const document: {
    -readonly [K in keyof TenantSettingsDocument]: TenantSettingsDocument[K];
  } = { kind: 'TenantSettings' };
  for (const key of [
    'securitySettingsManagement',
    'configMgrAuthority',
    'cloudConnector',
    'domainControllers',
  ] as const) {
    const value = reader.boolean(fields, key, []);
    if (value !== undefined) document[key] = value;
  }
  if (fields.enforcementScope !== undefined) {
    const scopes = readEnforcementScope(fields.enforcementScope, reader);
    if (scopes) document.enforcementScope = scopes;
  }
  const minutes = fields.checkInIntervalMinutes;
  if (minutes !== undefined) {
    if (
      typeof minutes !== 'number' ||
      !Number.isInteger(minutes) ||
      minutes < CHECK_IN_MINUTES.min ||
      minutes > CHECK_IN_MINUTES.max
    ) {
      reader.add(
        ['checkInIntervalMinutes'],
        `must be a whole number of minutes from ${CHECK_IN_MINUTES.min} to ${CHECK_IN_MINUTES.max}, not ${show(minutes)}`,
      );
    } else {
      document.checkInIntervalMinutes = minutes;
    }
  }
  return reader.problems.length === before ? document : undefined;
}

/**
 * Validates one parsed document (an object with a `kind`) and returns it normalised, or every
 * problem with its path. Policies are checked against the settings catalog; group, asset-rule
 * and filter rules with the rule parser.
 * @example validateDocument({ kind: 'AssetRule', name: 'tag-web', rule: '...', tag: 'web' })
 */
export function validateDocument(
  value: unknown,
): { ok: true; document: PalisadeDocument } | { ok: false; problems: readonly DocumentProblem[] } {
  const reader = new Reader();
  if (!isFields(value)) {
    reader.add([], `a document must be a mapping with a kind, not ${show(value)}`);
    return { ok: false, problems: reader.problems };
  }
  const kind = DOCUMENT_KINDS.find((k) => k === value.kind);
  let document: PalisadeDocument | undefined;
  if (kind === undefined) {
    const close =
      typeof value.kind === 'string' ? closestMatches(value.kind, DOCUMENT_KINDS, 1) : [];
    reader.add(
      ['kind'],
      value.kind === undefined
        ? `is required: one of ${DOCUMENT_KINDS.join(', ')}`
        : `${show(value.kind)} is not one of ${DOCUMENT_KINDS.join(', ')}${close.length > 0 ? `; did you mean ${close[0]}?` : ''}`,
    );
  } else if (kind === 'Group') {
    document = readGroup(value, reader);
  } else if (kind === 'Policy') {
    document = readPolicy(value, reader);
  } else if (kind === 'AssetRule') {
    document = readAssetRule(value, reader);
  } else {
    document = readTenantSettings(value, reader);
  }
  if (document !== undefined && reader.problems.length === 0) return { ok: true, document };
  return { ok: false, problems: reader.problems };
}

/** A problem of a set of documents (one file, or a directory of them), naming the document. */
export interface DocumentSetProblem extends DocumentProblem {
  /** Index of the document in the set. */
  readonly index: number;
  /** Index of the earlier document it clashes with. */
  readonly firstIndex: number;
}

/**
 * Problems across documents that are each valid: two documents of one kind with the same name
 * (names identify groups, policies and asset rules), or more than one TenantSettings.
 */
export function validateDocumentSet(
  documents: readonly PalisadeDocument[],
): readonly DocumentSetProblem[] {
  const problems: DocumentSetProblem[] = [];
  const seen = new Map<string, number>();
  let tenantSettings: number | undefined;
  documents.forEach((document, index) => {
    if (document.kind === 'TenantSettings') {
      if (tenantSettings !== undefined) {
        problems.push({
          index,
          firstIndex: tenantSettings,
          path: ['kind'],
          message: 'TenantSettings is given more than once; keep one',
        });
      } else {
        tenantSettings = index;
      }
      return;
    }
    const key = `${document.kind}\u0000${document.name}`;
    const first = seen.get(key);
    if (first !== undefined) {
      problems.push({
        index,
        firstIndex: first,
        path: ['name'],
        message: `${document.kind} ${document.name} is defined more than once; names must be unique`,
      });
    } else {
      seen.set(key, index);
    }
  });
  return problems;
}
