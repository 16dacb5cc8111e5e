/**
 * Live previews: a draft rule evaluated against every device of the tenant as it is stored now,
 * saving nothing. Group rules see the `device.*` properties (memberOf reads current memberships);
 * asset rules see the asset vocabulary.
 */
import {
  assetPropertiesOf,
  compileRuleText,
  devicePropertiesOf,
  type RuleSchemaName,
} from '@palisade/core';
import type { RulePreviewResponse } from '@palisade/protocol';
import type { Page } from '../../context.js';
import { summaries } from './device-queries.js';
import { type DeviceRow, scanDeviceRecords } from './device-records.js';
import type { FleetService } from './fleet-service.js';
import { storedView } from './recompute.js';

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
  const propertiesOf = schema === 'asset' ? assetPropertiesOf : devicePropertiesOf;
  const matches: DeviceRow[] = [];
  for await (const records of scanDeviceRecords(fleet.db, tenantId)) {
    for (const record of records) {
      if (compiled.matches(propertiesOf(storedView(record)))) matches.push(record.row);
    }
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
