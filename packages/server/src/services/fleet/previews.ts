/**
 * Live previews: a draft rule evaluated against every device of the tenant as it is stored now,
 * saving nothing. Group rules see the `device.*` properties (memberOf reads current memberships);
 * asset rules see the asset vocabulary.
 */
import { compileRuleText, type RuleSchemaName } from '@palisade/core';
import type { RulePreviewResponse } from '@palisade/protocol';
import type { Page } from '../../context.js';
import type { RememberedDevice } from './device-cache.js';
import { summariesOf } from './device-queries.js';
import type { FleetService } from './fleet-service.js';

export function previewGroupRule(
  fleet: FleetService,
  tenantId: string,
  rule: string,
  page: Page,
): Promise<RulePreviewResponse> {
  return previewRule(fleet, tenantId, rule, 'device', page);
}

export function previewAssetRule(
  fleet: FleetService,
  tenantId: string,
  rule: string,
  page: Page,
): Promise<RulePreviewResponse> {
  return previewRule(fleet, tenantId, rule, 'asset', page);
}

async function previewRule(
  fleet: FleetService,
  tenantId: string,
  rule: string,
  schema: RuleSchemaName,
  page: Page,
): Promise<RulePreviewResponse> {
  const compiled = compileRuleText(rule, schema);
  if (!compiled.ok) {
    return {
      valid: false,
      diagnostics: compiled.diagnostics.map((d) => ({
        message: d.message,
        line: d.line,
        column: d.column,
        offset: d.offset,
        length: d.length,
      })),
    };
  }
  const asset = schema === 'asset';
  const matches: RememberedDevice[] = [];
  for (const device of await fleet.views.devices(fleet.db, tenantId, { remember: true })) {
    if (compiled.matches(asset ? device.asset : device.device)) matches.push(device);
  }
  matches.sort((a, b) =>
    a.hostnameLower === b.hostnameLower
      ? a.id.localeCompare(b.id)
      : a.hostnameLower.localeCompare(b.hostnameLower),
  );
  // Only the page shown is read from the database (the remembered devices keep no rows).
  const shown = matches.slice(page.offset, page.offset + page.limit).map((device) => device.id);
  return {
    valid: true,
    count: matches.length,
    devices: await summariesOf(fleet.db, tenantId, shown),
  };
}
