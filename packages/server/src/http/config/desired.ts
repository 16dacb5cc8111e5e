/**
 * The documents of a plan or apply, checked as a whole against the tenant: each document by
 * core's validation (structure, catalog, rules), the set for duplicate names, then what only the
 * server knows — members name live devices, assignments name groups that will exist, memberOf
 * names groups that will exist, without a cycle. Every problem is collected and answered at once
 * as `documents.<index>.<path>`, so the CLI can point at the file and line.
 */
import {
  type AssetRuleDocument,
  type GroupDocument,
  type PalisadeDocument,
  type PolicyDocument,
  parseRule,
  ruleReferences,
  type TenantSettingsDocument,
  validateDocument,
  validateDocumentSet,
} from '@palisade/core';
import { ApiError, type FieldProblem } from '../../errors.js';
import type { CurrentState } from './current.js';

export interface Located<T> {
  readonly index: number;
  readonly document: T;
}

/** A group document with its members resolved to device ids. */
export interface DesiredGroup extends Located<GroupDocument> {
  readonly memberIds: readonly string[];
}

export interface DesiredState {
  readonly groups: readonly DesiredGroup[];
  readonly policies: readonly Located<PolicyDocument>[];
  readonly assetRules: readonly Located<AssetRuleDocument>[];
  readonly settings: Located<TenantSettingsDocument> | null;
}

type Path = readonly (string | number)[];

function problemAt(index: number, path: Path, message: string): FieldProblem {
  return { path: ['documents', index, ...path].join('.'), message };
}

function fail(fields: readonly FieldProblem[]): never {
  const first = fields[0];
  const message =
    fields.length === 1 && first
      ? `${first.path}: ${first.message}`
      : `${fields.length} problems in the documents; the first: ${first?.path}: ${first?.message}`;
  throw new ApiError('validation_failed', message, fields);
}

/** Validates every document on its own and the set for duplicates; throws with all problems. */
export function readDocuments(values: readonly unknown[]): Located<PalisadeDocument>[] {
  const problems: FieldProblem[] = [];
  const valid: Located<PalisadeDocument>[] = [];
  values.forEach((value, index) => {
    const result = validateDocument(value);
    if (result.ok) valid.push({ index, document: result.document });
    else {
      for (const p of result.problems) {
        const where = p.rulePosition
          ? ` (rule line ${p.rulePosition.line}, column ${p.rulePosition.column})`
          : '';
        problems.push(problemAt(index, p.path, `${p.message}${where}`));
      }
    }
  });
  for (const p of validateDocumentSet(valid.map((v) => v.document))) {
    const entry = valid[p.index];
    const first = valid[p.firstIndex];
    if (entry && first) {
      problems.push(
        problemAt(entry.index, p.path, `${p.message} (first: document ${first.index})`),
      );
    }
  }
  if (problems.length > 0) fail(problems);
  return valid;
}

/**
 * Resolves a member as written (device id, or a hostname no other live device shares) to a
 * device id, or says why it cannot.
 */
function resolveMember(current: CurrentState, member: string): string | { problem: string } {
  if (current.devices.hostnameOf.has(member)) return member;
  const ids = current.devices.idsByHostname.get(member.toLowerCase()) ?? [];
  if (ids.length === 1 && ids[0] !== undefined) return ids[0];
  if (ids.length > 1) {
    return {
      problem: `${ids.length} devices are named "${member}"; write the device id instead (${ids.slice(0, 3).join(', ')})`,
    };
  }
  return { problem: `no live device with the id or hostname "${member}" in this tenant` };
}

/**
 * Checks the documents against the tenant and returns the desired state. `prune` decides which
 * current groups still exist afterwards (those a document names, plus all others without prune).
 */
export function resolveDesiredState(
  documents: readonly Located<PalisadeDocument>[],
  current: CurrentState,
  prune: boolean,
): DesiredState {
  const problems: FieldProblem[] = [];
  const groups: DesiredGroup[] = [];
  const policies: Located<PolicyDocument>[] = [];
  const assetRules: Located<AssetRuleDocument>[] = [];
  let settings: Located<TenantSettingsDocument> | null = null;
  for (const { index, document } of documents) {
    switch (document.kind) {
      case 'Group': {
        const memberIds: string[] = [];
        (document.members ?? []).forEach((member, position) => {
          const resolved = resolveMember(current, member);
          if (typeof resolved === 'string') memberIds.push(resolved);
          else problems.push(problemAt(index, ['members', position], resolved.problem));
        });
        groups.push({ index, document, memberIds: [...new Set(memberIds)].sort() });
        break;
      }
      case 'Policy':
        policies.push({ index, document });
        break;
      case 'AssetRule':
        assetRules.push({ index, document });
        break;
      case 'TenantSettings':
        settings = { index, document };
        break;
    }
  }
  const named = new Set(groups.map((g) => g.document.name));
  const finalGroups = new Map<string, string | null>();
  for (const group of groups) finalGroups.set(group.document.name, group.document.rule ?? null);
  const kept = current.groups.filter((g) => named.has(g.name) || !prune);
  for (const group of kept)
    if (!finalGroups.has(group.name)) finalGroups.set(group.name, group.rule);
  for (const { index, document } of policies) {
    for (const mode of ['include', 'exclude'] as const) {
      document.assignments[mode].forEach((name, position) => {
        if (finalGroups.has(name)) return;
        const why = current.groups.some((g) => g.name === name)
          ? `group ${name} would be deleted by --prune; add its document or drop it here`
          : `no group ${name}: add a Group document or create the group first`;
        problems.push(problemAt(index, ['assignments', mode, position], why));
      });
    }
  }
  problems.push(...checkMemberOf(groups, current, kept));
  if (problems.length > 0) fail(problems);
  return { groups, policies, assetRules, settings };
}

/**
 * memberOf names groups by id: every id must be a group that exists after the change (new groups
 * have no id yet, so they cannot be named), and no chain of memberOf may lead back to the group.
 */
function checkMemberOf(
  groups: readonly DesiredGroup[],
  current: CurrentState,
  kept: CurrentState['groups'],
): FieldProblem[] {
  const problems: FieldProblem[] = [];
  const idOf = new Map(current.groups.map((g) => [g.name, g.id]));
  const keptIds = new Set(kept.map((g) => g.id));
  const readsById = new Map<string, readonly string[]>();
  for (const group of kept) readsById.set(group.id, referencesOf(group.rule));
  for (const { document } of groups) {
    const id = idOf.get(document.name);
    if (id) readsById.set(id, referencesOf(document.rule ?? null));
  }
  for (const { index, document } of groups) {
    const references = referencesOf(document.rule ?? null);
    const missing = references.filter((id) => !keptIds.has(id));
    if (missing.length > 0) {
      problems.push(
        problemAt(index, ['rule'], `memberOf names no group that exists: ${missing.join(', ')}`),
      );
      continue;
    }
    const self = idOf.get(document.name);
    if (self && leadsBack(self, references, readsById)) {
      problems.push(problemAt(index, ['rule'], 'memberOf leads back to this group (a cycle)'));
    }
  }
  return problems;
}

function referencesOf(rule: string | null): readonly string[] {
  if (rule === null) return [];
  const parsed = parseRule(rule, 'device');
  return parsed.ok ? ruleReferences(parsed.ast).memberOfGroupIds : [];
}

function leadsBack(
  self: string,
  start: readonly string[],
  readsById: ReadonlyMap<string, readonly string[]>,
): boolean {
  const seen = new Set<string>();
  const pending = [...start];
  while (pending.length > 0) {
    const next = pending.pop() as string;
    if (next === self) return true;
    if (seen.has(next)) continue;
    seen.add(next);
    pending.push(...(readsById.get(next) ?? []));
  }
  return false;
}
