/**
 * Live previews: a draft rule evaluated against every device of the tenant as it is stored now,
 * saving nothing. Group rules see the `device.*` properties (memberOf reads current memberships);
 * asset rules see the asset vocabulary.
 */
import { compileRuleText, type RuleSchemaName } from '@palisade/core';
import type { RulePreviewResponse } from '@palisade/protocol';
import type { Page } from '../../context.js';
import { summaries } from './device-queries.js';
import type { DeviceRow } from './device-records.js';
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
  const views = fleet.views;
  const vocabulary = schema === 'asset' ? 'asset' : 'device';
  const matches: DeviceRow[] = [];
  for (const record of await fleet.views.records(fleet.db, tenantId, { remember: true })) {
    if (compiled.matches(views.propertiesOf(record, vocabulary))) matches.push(record.row);
  }
  matches.sort((a, b) =>
    a.hostname_lower === b.hostname_lower
      ? a.id.localeCompare(b.id)
      : a.hostname_lower.localeCompare(b.hostname_lower),
  );
  const shown = matches.slice(page.offset, page.offset + page.limit);
  return {
    valid: true,
    count: matches.length,
    devices: await summaries(fleet.db, tenantId, shown),
  };
}
