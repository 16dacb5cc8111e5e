/**
 * The tenant's objects written as documents, normalised so that planning them against the same
 * tenant shows no changes: tenant settings first, then groups, asset rules and policies, each by
 * name; groups in assignments by name (sorted), members by hostname (sorted; the device id when
 * the hostname is shared); empty descriptions, exclude lists and filters left out; no ids, no
 * versions, no timestamps. Objects the document format cannot express faithfully are warned about.
 */
import { validateDocument } from '@palisade/core';
import type { ConfigExport } from '@palisade/protocol';
import { type CurrentState, memberName } from './current.js';

type Document = Record<string, unknown>;

function scopeDocument(
  scope: CurrentState['settings']['enforcementScope'][keyof CurrentState['settings']['enforcementScope']],
): unknown {
  return scope.mode === 'tagged' ? { tagged: scope.tag } : scope.mode;
}

export function exportDocuments(current: CurrentState): ConfigExport {
  const documents: Document[] = [];
  const warnings: string[] = [];
  const { settings } = current;
  documents.push({
    kind: 'TenantSettings',
    securitySettingsManagement: settings.securitySettingsManagement,
    enforcementScope: Object.fromEntries(
      Object.entries(settings.enforcementScope)
        .sort(([a], [b]) => (a < b ? -1 : 1))
        .map(([platform, scope]) => [platform, scopeDocument(scope)]),
    ),
    configMgrAuthority: settings.configMgrAuthority,
    cloudConnector: settings.cloudConnector,
    domainControllers: settings.domainControllers,
    checkInIntervalMinutes: settings.checkInIntervalMinutes,
  });
  const groupName = new Map(current.groups.map((g) => [g.id, g.name]));
  for (const group of current.groups) {
    documents.push({
      kind: 'Group',
      name: group.name,
      ...(group.description ? { description: group.description } : {}),
      ...(group.kind === 'dynamic'
        ? { rule: group.rule ?? '' }
        : { members: group.members.map((id) => memberName(current.devices, id)).sort() }),
    });
  }
  for (const rule of current.assetRules) {
    documents.push({
      kind: 'AssetRule',
      name: rule.name,
      ...(rule.description ? { description: rule.description } : {}),
      rule: rule.rule,
      tag: rule.tag,
    });
    if (!rule.enabled) {
      warnings.push(
        `asset rule ${rule.name} is disabled; documents have no enabled switch, so applying them keeps it disabled`,
      );
    }
  }
  for (const policy of current.policies) {
    const names = (ids: readonly string[]) => ids.map((id) => groupName.get(id) ?? id).sort();
    const { include, exclude, filter } = policy.assignments;
    documents.push({
      kind: 'Policy',
      name: policy.name,
      ...(policy.description ? { description: policy.description } : {}),
      platform: policy.platform,
      profile: policy.profile,
      settings: sortKeys(policy.settings),
      assignments: {
        include: names(include),
        ...(exclude.length > 0 ? { exclude: names(exclude) } : {}),
        ...(filter ? { filter: { mode: filter.mode, rule: filter.rule } } : {}),
      },
    });
  }
  for (const document of documents) {
    const result = validateDocument(document);
    if (result.ok) continue;
    const name = typeof document.name === 'string' ? ` ${document.name}` : '';
    for (const problem of result.problems) {
      warnings.push(
        `${String(document.kind)}${name}: ${problem.path.join('.') || '(document)'}: ${problem.message}`,
      );
    }
  }
  return { documents, warnings };
}

function sortKeys(record: Readonly<Record<string, unknown>>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(record).sort(([a], [b]) => (a < b ? -1 : 1)));
}
