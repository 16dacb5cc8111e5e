/**
 * `palisade catalog show ID [--json]`: everything about one setting: help, type and allowed
 * values, defaults, merge behaviour and the native name for each enforcement target. An unknown
 * id exits 1 with suggestions.
 */
import {
  type FieldDefinition,
  getSetting,
  mergeKindOf,
  type SettingDefinition,
  type SettingType,
  suggestSettingIds,
} from '@palisade/core';
import type { Command } from 'commander';
import { formatJson, formatTable, typeSummary } from './describe.js';

function typeLines(type: SettingType | FieldDefinition['type']): string[] {
  switch (type.kind) {
    case 'boolean':
      return ['type:       boolean (true or false)'];
    case 'choice':
      return [
        'type:       choice, one of:',
        formatTable(
          type.options.map((o) => [
            `  ${o.value}`,
            `${o.label}${o.platforms ? ` (${o.platforms.join(', ')} only)` : ''}`,
          ]),
        ),
      ];
    case 'integer':
      return [`type:       ${typeSummary(type)}${type.unit ? ` ${type.unit}` : ''}`];
    case 'string':
      return [
        `type:       string${type.maxLength ? `, at most ${type.maxLength} characters` : ''}`,
        ...(type.description ? [`  ${type.description}`] : []),
      ];
    case 'string-list':
      return [
        `type:       list of strings${type.maxItems ? `, at most ${type.maxItems}` : ''}`,
        ...(type.itemDescription ? [`  each item: ${type.itemDescription}`] : []),
        ...Object.entries(type.itemRules ?? {}).map(
          ([platform, rule]) => `  on ${platform}: ${rule.description}`,
        ),
      ];
    default:
      return [`type:       ${type.kind}`];
  }
}

function compositeLines(setting: SettingDefinition): string[] {
  const type = setting.type;
  if (type.kind === 'map') {
    return [
      'type:       map of key to value',
      'keys:',
      formatTable(type.keys.map((k) => [`  ${k.value}`, k.label])),
      `values:     ${type.values.map((v) => v.value).join(', ')}`,
    ];
  }
  if (type.kind === 'structured-list') {
    const rows = type.fields.map((f) => [
      `  ${f.key}${f.required ? ' *' : ''}`,
      typeSummary(f.type),
      f.default === undefined ? '' : formatJson(f.default),
      f.platforms ? f.platforms.join(',') : 'all',
      f.help,
    ]);
    return [
      `type:       list of items, each identified by its ${type.itemKey}`,
      'fields (* required):',
      formatTable([['  FIELD', 'TYPE', 'DEFAULT', 'PLATFORMS', 'HELP'], ...rows]),
    ];
  }
  return typeLines(type);
}

function nativeLines(setting: SettingDefinition): string[] {
  const lines: string[] = [];
  for (const [target, mapping] of Object.entries(setting.native)) {
    if (!mapping) continue;
    lines.push(`  ${target}: ${mapping.name}`);
    if (mapping.values) {
      const pairs = Object.entries(mapping.values).map(([k, v]) => `${k} → ${JSON.stringify(v)}`);
      lines.push(`    values: ${pairs.join(', ')}`);
    }
    if (mapping.note) lines.push(`    note: ${mapping.note}`);
  }
  return lines;
}

/** The human-readable description of a setting. */
export function describeSetting(setting: SettingDefinition): string {
  const defaults = Object.entries(setting.platformDefaults ?? {})
    .map(([platform, value]) => `${platform}: ${formatJson(value)}`)
    .join(', ');
  const lines = [
    `${setting.id}: ${setting.displayName}`,
    '',
    setting.help,
    '',
    `profile:    ${setting.profile}`,
    `platforms:  ${setting.platforms.join(', ')}`,
    ...compositeLines(setting),
    `default:    ${setting.default === null ? 'none (not configured)' : formatJson(setting.default)}${defaults ? ` (${defaults})` : ''}`,
    `merge:      ${mergeKindOf(setting.id)}`,
    ...(setting.refusal ? [`refused:    ${setting.refusal}`] : []),
    'native:',
    ...nativeLines(setting),
  ];
  return `${lines.join('\n')}\n`;
}

export function registerShowCommand(catalog: Command): void {
  catalog
    .command('show')
    .description('show one setting: help, type, values, defaults, native names per driver')
    .argument('<id>', 'the setting id, e.g. antivirus.cloudBlockLevel')
    .option('--json', 'print the definition as JSON')
    .addHelpText('after', '\nExample:\n  palisade catalog show exclusions.paths')
    .action((id: string, options: { json?: boolean }) => {
      const setting = getSetting(id);
      if (!setting) {
        const close = suggestSettingIds(id);
        const hint =
          close.length > 0
            ? `; did you mean ${close.join(' or ')}?`
            : '; run palisade catalog list to see them all';
        process.stderr.write(`palisade: no setting ${JSON.stringify(id)}${hint}\n`);
        process.exitCode = 1;
        return;
      }
      process.stdout.write(
        options.json
          ? `${JSON.stringify({ ...setting, merge: mergeKindOf(setting.id) }, null, 2)}\n`
          : describeSetting(setting),
      );
    });
}
