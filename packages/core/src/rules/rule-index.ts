/**
 * An index over an ordered list of rules that offers a device only the rules that can match it.
 *
 * Most dynamic-group rules carry a necessary condition that is a cheap lookup:
 * `(device.deviceOSType -eq "Linux") and ...`, `device.displayName -startsWith "ams-" and ...`,
 * `device.installedSoftware -any _ -startsWith "nginx"`. Such a condition is the rule's *guard*;
 * the index files each guard under the value it reads, and for one device looks up each such value
 * once, so a device is offered the rules whose guard it passes plus every rule without a guard,
 * instead of every rule.
 *
 * A guard may let through a rule that does not match (it is then evaluated), never drop one that
 * does: it reads values as the compiled rule does (`textOf`, `itemsOf`) and lower-cases them with
 * `toLowerCase`, as the rule's constants are. Where that cannot be assured, a rule has no guard.
 */
import { assertNever } from '../model.js';
import type { ComparisonNode, RuleAst } from './ast.js';
import { itemsOf, ruleReferences, textOf } from './compile.js';
import type { RuleProperties } from './properties.js';
import { lowerCased } from './text-compare.js';

/**
 * A necessary condition of a rule: the lower-cased text of `property` (`value`), or of one of its
 * items (`item`, from `-any`), equals one of `keys` (`equals`) or starts with one (`prefix`).
 */
export interface RuleGuard {
  readonly property: string;
  readonly scope: 'value' | 'item';
  readonly kind: 'equals' | 'prefix';
  /** Lower-cased with `toLowerCase`, distinct, sorted; never empty, no empty prefix. */
  readonly keys: readonly string[];
}

/**
 * The guard of a rule, or null when it has none. Found among the conjuncts of the top-level `and`s
 * (an `or` of two guards on the same property, scope and kind becomes one guard with both keys);
 * the most selective one is kept: equality over prefix, fewer keys, longer prefixes. A rule that
 * reads memberOf has no guard: memberships are decided while the device is evaluated.
 *
 * @example
 * const parsed = parseRule('(device.deviceOSType -eq "Linux") and (device.displayName -contains "web")');
 * if (parsed.ok) ruleGuard(parsed.ast);
 * // { property: 'deviceOSType', scope: 'value', kind: 'equals', keys: ['linux'] }
 */
export function ruleGuard(ast: RuleAst): RuleGuard | null {
  if (ruleReferences(ast).properties.includes('memberOf')) return null;
  return guardOf(ast, null);
}

/** `collection`: the property whose items `_` stands for (inside -any), or null at the top. */
function guardOf(node: RuleAst, collection: string | null): RuleGuard | null {
  switch (node.kind) {
    case 'and':
      return moreSelective(guardOf(node.left, collection), guardOf(node.right, collection));
    case 'or':
      return union(guardOf(node.left, collection), guardOf(node.right, collection));
    case 'not':
      return null;
    case 'collection':
      // -all holds on an empty collection; nested quantifiers do not exist.
      if (node.quantifier !== 'any' || collection !== null) return null;
      return guardOf(node.condition, node.property);
    case 'comparison':
      if (collection === null) {
        return node.subject.kind === 'property'
          ? comparisonGuard(node, node.subject.name, 'value')
          : null;
      }
      return node.subject.kind === 'element' ? comparisonGuard(node, collection, 'item') : null;
    default:
      return assertNever(node, 'rule node');
  }
}

/**
 * `-eq "x"`, `-in ["a", "b"]` and `-startsWith "p"` on strings; nothing else is a lookup. An `-in`
 * list with a number is no guard: the compiled rule also matches text that reads as that number.
 */
function comparisonGuard(
  node: ComparisonNode,
  property: string,
  scope: RuleGuard['scope'],
): RuleGuard | null {
  const { operator, value } = node;
  if (operator === 'eq' && value.kind === 'string') {
    return guard(property, scope, 'equals', [lower(value.value)]);
  }
  if (operator === 'startsWith' && value.kind === 'string' && value.value !== '') {
    return guard(property, scope, 'prefix', [lower(value.value)]);
  }
  if (operator === 'in' && value.kind === 'array') {
    const keys: string[] = [];
    for (const item of value.items) {
      if (item.kind !== 'string') return null;
      keys.push(lower(item.value));
    }
    return keys.length === 0 ? null : guard(property, scope, 'equals', keys);
  }
  return null;
}

/** A rule's constant lower-cased as compile.ts lower-cases it. */
function lower(constant: string): string {
  return constant.toLowerCase();
}

function guard(
  property: string,
  scope: RuleGuard['scope'],
  kind: RuleGuard['kind'],
  keys: readonly string[],
): RuleGuard {
  return { property, scope, kind, keys: [...new Set(keys)].sort() };
}

/** Either guard holds when both sides of an `and` do: keep the more selective (the left on ties). */
function moreSelective(left: RuleGuard | null, right: RuleGuard | null): RuleGuard | null {
  if (left === null || right === null) return left ?? right;
  if (left.kind !== right.kind) return left.kind === 'equals' ? left : right;
  if (left.kind === 'equals') return right.keys.length < left.keys.length ? right : left;
  return shortestKey(right) > shortestKey(left) ? right : left;
}

function shortestKey(guard: RuleGuard): number {
  return Math.min(...guard.keys.map((key) => key.length));
}

/** One of two guards holds when an `or` does: one guard if they read the same way, else none. */
function union(left: RuleGuard | null, right: RuleGuard | null): RuleGuard | null {
  if (left === null || right === null) return null;
  const same =
    left.property === right.property && left.scope === right.scope && left.kind === right.kind;
  return same ? guard(left.property, left.scope, left.kind, [...left.keys, ...right.keys]) : null;
}

/** The guards that read one value: a property, or the items of a collection property. */
interface GuardSource {
  readonly property: string;
  readonly scope: RuleGuard['scope'];
  /** Rule indices by equality key. */
  readonly equals: Map<string, number[]>;
  readonly prefixes: PrefixTable;
}

interface SourceBuilder {
  readonly property: string;
  readonly scope: RuleGuard['scope'];
  readonly equals: Map<string, number[]>;
  readonly byPrefix: Map<string, number[]>;
}

/**
 * Candidate rules per device: built once from the rules in their evaluation order (an AST, or null
 * for a rule without one), then asked once per device. Rules without a guard are always offered.
 *
 * @example
 * const index = new RuleIndex([linuxRuleAst, windowsRuleAst, null]);
 * index.candidates({ deviceOSType: 'Linux' }); // [0, 2]
 */
export class RuleIndex {
  /** The number of rules indexed. */
  readonly size: number;
  private readonly sources: readonly GuardSource[];
  /** Bitmap of the rules without a guard. */
  private readonly always: Uint32Array;
  /** Scratch bitmap of one device's candidates (reused: no allocation per device). */
  private readonly marks: Uint32Array;

  constructor(rules: readonly (RuleAst | null)[]) {
    this.size = rules.length;
    this.always = new Uint32Array(Math.ceil(rules.length / 32));
    this.marks = new Uint32Array(this.always.length);
    const sources = new Map<string, SourceBuilder>();
    rules.forEach((ast, index) => {
      const guard = ast === null ? null : ruleGuard(ast);
      if (guard === null) {
        mark(this.always, index);
        return;
      }
      const { property, scope } = guard;
      const sourceKey = `${scope}:${property}`;
      let source = sources.get(sourceKey);
      if (source === undefined) {
        source = { property, scope, equals: new Map(), byPrefix: new Map() };
        sources.set(sourceKey, source);
      }
      const byKey = guard.kind === 'equals' ? source.equals : source.byPrefix;
      for (const key of guard.keys) {
        const indices = byKey.get(key);
        if (indices) indices.push(index);
        else byKey.set(key, [index]);
      }
    });
    this.sources = [...sources.values()].map(({ property, scope, equals, byPrefix }) => ({
      property,
      scope,
      equals,
      prefixes: new PrefixTable(byPrefix),
    }));
  }

  /** The indices of the rules that can match a device with these properties, ascending. */
  candidates(properties: RuleProperties): number[] {
    const marks = this.marks;
    marks.set(this.always);
    for (const source of this.sources) {
      const value = properties[source.property];
      if (source.scope === 'value') {
        markText(source, textOf(value), marks);
        continue;
      }
      const items = itemsOf(value);
      for (let i = 0; i < items.length; i++) markText(source, textOf(items[i] ?? null), marks);
    }
    return markedIndices(marks);
  }
}

function markText(source: GuardSource, text: string | null, marks: Uint32Array): void {
  if (text === null) return;
  const lower = lowerCased(text);
  const rules = source.equals.get(lower);
  if (rules !== undefined) markAll(marks, rules);
  source.prefixes.markMatches(lower, marks);
}

/**
 * Prefixes sorted, each with the nearest other prefix it starts with (its parent). Every prefix of
 * a text sorts at or before the last prefix ≤ the text and is a prefix of it, so one binary search
 * and a walk up that prefix's parents find them all, however many prefixes there are.
 */
class PrefixTable {
  private readonly prefixes: readonly string[];
  private readonly rules: readonly (readonly number[])[];
  private readonly parents: Int32Array;

  constructor(byPrefix: ReadonlyMap<string, readonly number[]>) {
    this.prefixes = [...byPrefix.keys()].sort();
    this.rules = this.prefixes.map((prefix) => byPrefix.get(prefix) ?? []);
    this.parents = new Int32Array(this.prefixes.length);
    this.prefixes.forEach((prefix, index) => {
      this.parents[index] = this.longestPrefixOf(prefix, index - 1);
    });
  }

  /** Marks the rules of every prefix `text` starts with. */
  markMatches(text: string, marks: Uint32Array): void {
    if (this.prefixes.length === 0) return;
    let index = this.longestPrefixOf(text, this.lastAtOrBefore(text));
    while (index >= 0) {
      markAll(marks, this.rules[index] ?? []);
      index = this.parents[index] ?? -1;
    }
  }

  /** The longest prefix of `text` among `prefixes[0..from]` (from: the last one ≤ text), or -1. */
  private longestPrefixOf(text: string, from: number): number {
    let index = from;
    while (index >= 0 && !text.startsWith(this.prefixes[index] ?? '')) {
      index = this.parents[index] ?? -1;
    }
    return index;
  }

  /** The index of the last prefix ≤ text (UTF-16 order, as startsWith compares), or -1. */
  private lastAtOrBefore(text: string): number {
    let low = 0;
    let high = this.prefixes.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((this.prefixes[middle] ?? '') <= text) low = middle + 1;
      else high = middle;
    }
    return low - 1;
  }
}

function mark(marks: Uint32Array, index: number): void {
  marks[index >>> 5] = (marks[index >>> 5] ?? 0) | (1 << (index & 31));
}

function markAll(marks: Uint32Array, indices: readonly number[]): void {
  for (let i = 0; i < indices.length; i++) mark(marks, indices[i] ?? 0);
}

function markedIndices(marks: Uint32Array): number[] {
  let count = 0;
  for (let word = 0; word < marks.length; word++) count += bitCount(marks[word] ?? 0);
  const indices = new Array<number>(count);
  let next = 0;
  for (let word = 0; word < marks.length; word++) {
    let bits = marks[word] ?? 0;
    while (bits !== 0) {
      const lowest = bits & -bits;
      indices[next++] = word * 32 + 31 - Math.clz32(lowest);
      bits ^= lowest;
    }
  }
  return indices;
}

function bitCount(bits: number): number {
  let n = bits - ((bits >>> 1) & 0x55555555);
  n = (n & 0x33333333) + ((n >>> 2) & 0x33333333);
  return (((n + (n >>> 4)) & 0x0f0f0f0f) * 0x01010101) >>> 24;
}
