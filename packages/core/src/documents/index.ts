/** Policies as code: validation of parsed Group, Policy, AssetRule and TenantSettings documents. */
export {
  type AssetRuleDocument,
  type AssignedGroupDocument,
  DOCUMENT_KINDS,
  type DocumentKind,
  type DocumentProblem,
  type DynamicGroupDocument,
  type GroupDocument,
  type PalisadeDocument,
  type PolicyDocument,
  type TenantSettingsDocument,
} from './types.js';
export { type DocumentSetProblem, validateDocument, validateDocumentSet } from './validate.js';
