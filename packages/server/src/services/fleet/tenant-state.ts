/**
 * What the engine needs to know about a tenant to recompute any of its devices: settings, signing
 * key, current policy versions, groups (rules compiled once, ordered so that a group read through
 * `memberOf` is evaluated before the groups that read it) and asset rules. Kept in memory per
 * tenant and dropped whenever an admin change touches it (in every process, via the push hub).
 */

import type { JsonValue } from '@palisade/core';
import {
  type AssignmentFilter,
  type CompiledRule,
  compileRuleText,
  type PolicyAssignments,
  type PolicyPlatform,
  type PolicyVersion,
  type Profile,
  type RuleAst,
  RuleIndex,
  ruleReferences,
  type TenantSettings,
} from '@palisade/core';
import { parseTenantSettings } from '../tenants.js';
import type { FleetDb } from './fleet-db.js';

export interface CompiledGroup {
  readonly id: string;
  readonly name: string;
  readonly kind: 'assigned' | 'dynamic';
  /** What `device_groups` stores of a membership of this group (memberships.ts). */
  readonly ordinal: number;
  /** The membership rule of a dynamic group; null when assigned or when the rule does not compile. */
  readonly matches: CompiledRule | null;
  /** The parsed rule, for the tenant's rule index; null when assigned or when it does not compile. */
  readonly ast: RuleAst | null;
  /** Groups this group's rule reads through memberOf. */
  readonly memberOf: readonly string[];
}

export interface CompiledAssetRule {
  readonly id: string;
  readonly tag: string;
  readonly matches: CompiledRule;
}

export interface TenantState {
  readonly tenantId: string;
  readonly settings: TenantSettings;
  readonly publicKey: string;
  readonly privateKey: string;
  readonly policies: readonly PolicyVersion[];
  /** Assigned groups first, then dynamic groups in dependency order. */
  readonly groups: readonly CompiledGroup[];
  /** The dynamic groups, in the same order, and the index of their rules (see evaluateGroups). */
  readonly dynamicGroups: DynamicGroups;
  readonly assetRules: readonly CompiledAssetRule[];
  /** The compiled rule of an assignment filter (compiled once per tenant state). */
  filterRule(filter: AssignmentFilter): CompiledRule | null;
}

export interface DynamicGroups {
  readonly groups: readonly CompiledGroup[];
  /** Over `groups`' rules: `index.candidates(properties)` are positions in `groups`. */
  readonly index: RuleIndex;
}

/** Per tenant, the last index built and the rules it was built from. */
const ruleIndexes = new Map<string, { rules: readonly (RuleAst | null)[]; index: RuleIndex }>();
const RULE_INDEX_CACHE_SIZE = 1_000;

/**
 * The dynamic groups of `groups` (dependency order kept) with an index of their rules. The index
 * is reused while the tenant's rules are the same objects in the same order (compiled rules are
 * cached by text): a facts change on PostgreSQL re-reads the tenant, and building the index of a
 * thousand rules (~0.5 ms) costs more than evaluating all of them for that one device.
 */
export function dynamicGroupsOf(tenantId: string, groups: readonly CompiledGroup[]): DynamicGroups {
  const dynamic = groups.filter((group) => group.kind === 'dynamic');
  const rules = dynamic.map((group) => group.ast);
  const cached = ruleIndexes.get(tenantId);
  if (cached && sameItems(cached.rules, rules)) return { groups: dynamic, index: cached.index };
  const index = new RuleIndex(rules);
  ruleIndexes.delete(tenantId);
  if (ruleIndexes.size >= RULE_INDEX_CACHE_SIZE) {
    const oldest = ruleIndexes.keys().next().value;
    if (oldest !== undefined) ruleIndexes.delete(oldest);
  }
  ruleIndexes.set(tenantId, { rules, index });
  return { groups: dynamic, index };
}

function sameItems<T>(a: readonly T[], b: readonly T[]): boolean {
  return a.length === b.length && a.every((item, i) => item === b[i]);
}

export class TenantNotFoundError extends Error {}

export async function loadTenantState(db: FleetDb, tenantId: string): Promise<TenantState> {
  const tenant = await db
    .selectFrom('tenants')
    .select(['id', 'public_key', 'private_key', 'settings'])
    .where('id', '=', tenantId)
    .executeTakeFirst();
  if (!tenant) throw new TenantNotFoundError(`tenant ${tenantId} does not exist`);
  const [policies, groups, assetRules] = await Promise.all([
    loadPolicies(db, tenantId),
    loadGroups(db, tenantId),
    loadAssetRules(db, tenantId),
  ]);
  const filters = new Map<string, CompiledRule | null>();
  return {
    tenantId,
    settings: tenantSettingsOf(tenantId, tenant.settings),
    publicKey: tenant.public_key,
    privateKey: tenant.private_key,
    policies,
    groups,
    dynamicGroups: dynamicGroupsOf(tenantId, groups),
    assetRules,
    filterRule(filter) {
      let compiled = filters.get(filter.rule);
      if (compiled === undefined) {
        const result = compileRuleText(filter.rule, 'filter');
        compiled = result.ok ? result.matches : null;
        filters.set(filter.rule, compiled);
      }
      return compiled;
    },
  };
}

/** Tenant states read inside a transaction, by transaction (see tenantStateInTransaction). */
const statesByTransaction = new WeakMap<FleetDb, Map<string, Promise<TenantState>>>();

/**
 * The tenant as transaction `trx` sees it, read once per transaction. Only for transactions that
 * never change the tenant's policies, groups, asset rules or settings (the agents' writes): the
 * enrollments written together in one transaction then share one read of the tenant.
 */
export function tenantStateInTransaction(trx: FleetDb, tenantId: string): Promise<TenantState> {
  let states = statesByTransaction.get(trx);
  if (!states) {
    states = new Map();
    statesByTransaction.set(trx, states);
  }
  let state = states.get(tenantId);
  if (!state) {
    state = loadTenantState(trx, tenantId);
    states.set(tenantId, state);
    // A failed read is not kept: the next unit reads again.
    state.catch(() => states?.delete(tenantId));
  }
  return state;
}

/** The tenant's settings as core reads them (defaults filled in, as the settings API does). */
export function tenantSettingsOf(tenantId: string, json: string): TenantSettings {
  return { tenantId, ...parseTenantSettings(json) };
}

export async function loadPolicies(db: FleetDb, tenantId: string): Promise<PolicyVersion[]> {
  const rows = await db
    .selectFrom('policies as p')
    .innerJoin('policy_versions as v', (join) =>
      join.onRef('v.policy_id', '=', 'p.id').onRef('v.version', '=', 'p.current_version'),
    )
    .select([
      'p.id',
      'v.name',
      'v.version',
      'p.platform',
      'p.profile',
      'v.settings',
      'v.assignments',
    ])
    .where('p.tenant_id', '=', tenantId)
    .orderBy('p.id')
    .execute();
  return rows.map((row) => ({
    id: row.id,
    name: row.name,
    version: row.version,
    platform: row.platform as PolicyPlatform,
    profile: row.profile as Profile,
    settings: JSON.parse(row.settings) as Record<string, JsonValue>,
    assignments: JSON.parse(row.assignments) as PolicyAssignments,
  }));
}

async function loadGroups(db: FleetDb, tenantId: string): Promise<CompiledGroup[]> {
  const rows = await db
    .selectFrom('groups')
    .select(['id', 'name', 'kind', 'rule', 'ordinal'])
    .where('tenant_id', '=', tenantId)
    .orderBy('id')
    .execute();
  return orderGroups(rows.map((row) => compileGroup({ ...row, ordinal: Number(row.ordinal) })));
}

export function compileGroup(row: {
  id: string;
  name: string;
  kind: string;
  rule: string | null;
  ordinal: number;
}): CompiledGroup {
  const { id, name, ordinal } = row;
  if (row.kind !== 'dynamic' || row.rule === null) {
    return { id, name, ordinal, kind: 'assigned', matches: null, ast: null, memberOf: [] };
  }
  return { id, name, ordinal, kind: 'dynamic', ...compiledDeviceRule(row.rule) };
}

/** Rule texts kept compiled; a tenant's groups are re-read on every device-level recompute. */
const COMPILED_RULE_CACHE_SIZE = 10_000;
type CompiledDeviceRule = Pick<CompiledGroup, 'matches' | 'ast' | 'memberOf'>;
const compiledRules = new Map<string, CompiledDeviceRule>();

/**
 * A device rule compiled, by its text: compiling is a pure function of the text, and a facts
 * change reads the tenant (every group's rule) inside its transaction, so without this each facts
 * change parsed every dynamic rule of the tenant twice.
 */
function compiledDeviceRule(rule: string): CompiledDeviceRule {
  const cached = compiledRules.get(rule);
  if (cached) return cached;
  // Saved rules were validated on save; a rule the current parser refuses matches nothing.
  const result = compileRuleText(rule, 'device');
  const compiled = result.ok
    ? {
        matches: result.matches,
        ast: result.ast,
        memberOf: ruleReferences(result.ast).memberOfGroupIds,
      }
    : { matches: null, ast: null, memberOf: [] };
  if (compiledRules.size >= COMPILED_RULE_CACHE_SIZE) {
    const oldest = compiledRules.keys().next().value;
    if (oldest !== undefined) compiledRules.delete(oldest);
  }
  compiledRules.set(rule, compiled);
  return compiled;
}

/**
 * Assigned groups first, then dynamic groups so that every group comes after the groups it reads
 * through memberOf. A group in a memberOf cycle cannot be ordered: it keeps no rule (no members),
 * which is what the directory does with circular references too.
 */
export function orderGroups(groups: readonly CompiledGroup[]): CompiledGroup[] {
  const byId = new Map(groups.map((group) => [group.id, group]));
  const ordered: CompiledGroup[] = groups.filter((group) => group.kind === 'assigned');
  const state = new Map<string, 'visiting' | 'done'>();
  for (const group of ordered) state.set(group.id, 'done');
  const cyclic = new Set<string>();
  const visit = (group: CompiledGroup, path: string[]): void => {
    const seen = state.get(group.id);
    if (seen === 'done') return;
    if (seen === 'visiting') {
      for (const id of path.slice(path.indexOf(group.id))) cyclic.add(id);
      return;
    }
    state.set(group.id, 'visiting');
    for (const dependency of group.memberOf) {
      const next = byId.get(dependency);
      if (next) visit(next, [...path, group.id]);
    }
    state.set(group.id, 'done');
    ordered.push(group);
  };
  for (const group of groups) if (group.kind === 'dynamic') visit(group, []);
  return ordered.map((group) => (cyclic.has(group.id) ? { ...group, matches: null } : group));
}

async function loadAssetRules(db: FleetDb, tenantId: string): Promise<CompiledAssetRule[]> {
  const rows = await db
    .selectFrom('asset_rules')
    .select(['id', 'rule', 'tag'])
    .where('tenant_id', '=', tenantId)
    .where('enabled', '=', 1)
    .orderBy('id')
    .execute();
  const rules: CompiledAssetRule[] = [];
  for (const row of rows) {
    const compiled = compileRuleText(row.rule, 'asset');
    if (compiled.ok) rules.push({ id: row.id, tag: row.tag, matches: compiled.matches });
  }
  return rules;
}

/**
 * Per-tenant states, loaded on first use. `drop` runs on every admin change (and on notices from
 * other processes); a load that started before a drop is not cached, so a stale state never sticks.
 */
export class TenantStateCache {
  private readonly states = new Map<string, Promise<TenantState>>();
  /** The loads that finished with no drop since they started: a state read whole after it. */
  private readonly settled = new Map<string, TenantState>();
  private generation = 0;

  async get(db: FleetDb, tenantId: string): Promise<TenantState> {
    const cached = this.states.get(tenantId);
    if (cached) return cached;
    const generation = this.generation;
    const loading = loadTenantState(db, tenantId);
    this.states.set(tenantId, loading);
    loading.then(
      (state) => {
        if (this.states.get(tenantId) !== loading) return;
        if (this.generation !== generation) this.states.delete(tenantId);
        else this.settled.set(tenantId, state);
      },
      () => {
        if (this.states.get(tenantId) === loading) this.states.delete(tenantId);
      },
    );
    return loading;
  }

  /**
   * The tenant's state if one is loaded and no change was announced since its load began, else
   * undefined. Never waits: a transaction must not wait for a load that needs its connection.
   * Every admin change drops the tenant at its start, inside its transaction, and again after
   * commit, so on SQLite (one transaction at a time) a settled state is the committed one.
   */
  peekSettled(tenantId: string): TenantState | undefined {
    return this.settled.get(tenantId);
  }

  drop(tenantId: string): void {
    this.generation++;
    if (tenantId === '*') {
      this.states.clear();
      this.settled.clear();
    } else {
      this.states.delete(tenantId);
      this.settled.delete(tenantId);
    }
  }
}
