/**
 * Reference data for the portal's and CLI's editors, straight from core: the settings catalog,
 * profiles, the property vocabularies of the three rule kinds, a rule check for live validation
 * while typing, and the enrollment status codes with their meaning and fix.
 */
import {
  ENROLLMENT_STATUSES,
  listSettings,
  PROFILE_DEFINITIONS,
  parseRule,
  printRule,
  RULE_PROPERTIES,
} from '@palisade/core';
import {
  CatalogProfileListSchema,
  CatalogQuerySchema,
  type CatalogSetting,
  CatalogSettingListSchema,
  CheckRuleRequestSchema,
  CheckRuleResponseSchema,
  EnrollmentStatusListSchema,
  RulePropertiesResponseSchema,
} from '@palisade/protocol';
import { jsonBody, jsonResponse, type RegisterRoutes, route } from './route.js';

const tags = ['reference'];

const catalogSettings = route('reader', {
  method: 'get',
  path: '/api/v1/catalog/settings',
  tags,
  summary: 'The settings catalog, optionally for one platform and profile',
  request: { query: CatalogQuerySchema },
  responses: { 200: jsonResponse(CatalogSettingListSchema, 'Setting definitions') },
});
const catalogProfiles = route('reader', {
  method: 'get',
  path: '/api/v1/catalog/profiles',
  tags,
  summary: 'Profiles: their platforms and whether this channel delivers them',
  responses: { 200: jsonResponse(CatalogProfileListSchema, 'Profiles') },
});
const ruleProperties = route('reader', {
  method: 'get',
  path: '/api/v1/rule-properties',
  tags,
  summary: 'The properties rules can read: device (groups), asset (asset rules), filter',
  responses: { 200: jsonResponse(RulePropertiesResponseSchema, 'Property vocabularies') },
});
const checkRule = route('reader', {
  method: 'post',
  path: '/api/v1/rules/check',
  tags,
  summary: 'Check a rule while it is typed: diagnostics with positions, or its canonical form',
  request: { body: jsonBody(CheckRuleRequestSchema) },
  responses: { 200: jsonResponse(CheckRuleResponseSchema, 'The verdict') },
});
const enrollmentStatuses = route('reader', {
  method: 'get',
  path: '/api/v1/enrollment-statuses',
  tags,
  summary: 'Every enrollment status code with its meaning and fix',
  responses: { 200: jsonResponse(EnrollmentStatusListSchema, 'Statuses') },
});

export const registerReferenceRoutes: RegisterRoutes = (app) => {
  app.openapi(catalogSettings, (c) => {
    const { platform, profile } = c.req.valid('query');
    // Core's definitions are plain readonly data: exactly the catalog schema's shape.
    const items = listSettings({
      ...(platform ? { platform } : {}),
      ...(profile ? { profile } : {}),
    }) as unknown as CatalogSetting[];
    return c.json({ items, total: items.length }, 200);
  });

  app.openapi(catalogProfiles, (c) => {
    const items = PROFILE_DEFINITIONS.map((profile) => ({
      ...profile,
      platforms: [...profile.platforms],
    }));
    return c.json({ items, total: items.length }, 200);
  });

  app.openapi(ruleProperties, (c) => {
    const present = (schema: keyof typeof RULE_PROPERTIES) =>
      RULE_PROPERTIES[schema].map((property) => ({
        name: property.name,
        type: property.type,
        multiValued: property.multiValued,
        description: property.description,
        ...(property.operators ? { operators: [...property.operators] } : {}),
        ...(property.values ? { values: [...property.values] } : {}),
      }));
    return c.json(
      { device: present('device'), asset: present('asset'), filter: present('filter') },
      200,
    );
  });

  app.openapi(checkRule, (c) => {
    const { rule, schema } = c.req.valid('json');
    const parsed = parseRule(rule, schema);
    if (parsed.ok) {
      return c.json({ valid: true, normalized: printRule(parsed.ast), diagnostics: [] }, 200);
    }
    return c.json({ valid: false, normalized: null, diagnostics: [...parsed.diagnostics] }, 200);
  });

  app.openapi(enrollmentStatuses, (c) => {
    const items = ENROLLMENT_STATUSES.map((status) => ({ ...status }));
    return c.json({ items, total: items.length }, 200);
  });
};
