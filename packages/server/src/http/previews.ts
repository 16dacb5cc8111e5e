/** Previews and what-if: evaluate drafts against the fleet, save nothing. */
import {
  RulePreviewRequestSchema,
  RulePreviewResponseSchema,
  WhatIfRequestSchema,
  WhatIfResponseSchema,
} from '@palisade/protocol';
import type { FleetService } from '../services/fleet/fleet-service.js';
import { previewAssetRule, previewGroupRule } from '../services/fleet/previews.js';
import { whatIf } from '../services/fleet/what-if.js';
import { actorOf, jsonBody, jsonResponse, type PalisadeApp, route } from './route.js';

const groupPreview = route('reader', {
  method: 'post',
  path: '/api/v1/groups/preview',
  tags: ['groups'],
  summary: 'Evaluate a draft membership rule against all devices (count + first page)',
  request: { body: jsonBody(RulePreviewRequestSchema) },
  responses: { 200: jsonResponse(RulePreviewResponseSchema, 'Matches, or the rule diagnostics') },
});
const assetRulePreview = route('reader', {
  method: 'post',
  path: '/api/v1/asset-rules/preview',
  tags: ['asset-rules'],
  summary: 'Evaluate a draft asset rule condition against all devices (count + first page)',
  request: { body: jsonBody(RulePreviewRequestSchema) },
  responses: { 200: jsonResponse(RulePreviewResponseSchema, 'Matches, or the rule diagnostics') },
});
const whatIfRoute = route('reader', {
  method: 'post',
  path: '/api/v1/policies/what-if',
  tags: ['policies'],
  summary:
    'What-if: devices whose configuration a draft policy / assignment / deletion would change, and the conflicts',
  request: { body: jsonBody(WhatIfRequestSchema) },
  responses: { 200: jsonResponse(WhatIfResponseSchema, 'What would change') },
});

export function registerPreviewRoutes(app: PalisadeApp, fleet: FleetService): void {
  app.openapi(groupPreview, async (c) => {
    const { rule, limit, offset } = c.req.valid('json');
    return c.json(await previewGroupRule(fleet, actorOf(c).tenantId, rule, { limit, offset }), 200);
  });
  app.openapi(assetRulePreview, async (c) => {
    const { rule, limit, offset } = c.req.valid('json');
    return c.json(await previewAssetRule(fleet, actorOf(c).tenantId, rule, { limit, offset }), 200);
  });
  app.openapi(whatIfRoute, async (c) =>
    c.json(await whatIf(fleet, actorOf(c).tenantId, c.req.valid('json')), 200),
  );
}
