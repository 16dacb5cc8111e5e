import { RULE_SCHEMA_NAMES, type RuleSchemaName } from '@palisade/core';
import { Option } from 'commander';

/** `--schema`: which property vocabulary the rule is written in. */
export function schemaOption(): Option {
  return new Option(
    '--schema <schema>',
    'property vocabulary: device (dynamic groups), asset (asset rules), filter (assignment filters)',
  )
    .choices(RULE_SCHEMA_NAMES)
    .default('device');
}

export function schemaOf(options: { readonly schema?: string }): RuleSchemaName {
  const schema = options.schema ?? 'device';
  return RULE_SCHEMA_NAMES.find((name) => name === schema) ?? 'device';
}
