/**
 * The rule language: the directory's dynamic membership rules, serving dynamic groups ('device'
 * schema), asset rules ('asset') and assignment filters ('filter'). Parse once, compile to a
 * predicate, evaluate against the properties `devicePropertiesOf` & co. produce.
 */
export type {
  AndNode,
  ArrayItem,
  CollectionNode,
  ComparisonNode,
  ComparisonOperator,
  NotNode,
  OrNode,
  Quantifier,
  RuleAst,
  RuleSubject,
  RuleValue,
} from './ast.js';
export { COMPARISON_OPERATORS, QUANTIFIERS } from './ast.js';
export {
  type CompiledRule,
  type CompileResult,
  compileRule,
  compileRuleText,
  ruleReferences,
} from './compile.js';
export { positionOf, RULE_ERROR_KINDS, type RuleDiagnostic } from './diagnostics.js';
export { MAX_RULE_LENGTH, type ParseResult, parseRule } from './parser.js';
export { printRule } from './printer.js';
export {
  assetPropertiesOf,
  type DeviceView,
  devicePropertiesOf,
  filterPropertiesOf,
  findProperty,
  OPERATORS_BY_TYPE,
  type PropertiesInputResult,
  type PropertyDefinition,
  type PropertyType,
  type PropertyValue,
  propertiesOf,
  RULE_PROPERTIES,
  RULE_SCHEMA_NAMES,
  type RuleProperties,
  type RuleSchemaName,
  rulePropertiesFrom,
} from './properties.js';
export { type RuleGuard, RuleIndex, ruleGuard } from './rule-index.js';
