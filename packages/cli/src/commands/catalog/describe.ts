/** Text renderings of catalog entries shared by the catalog commands. */
import { assertNever, type JsonValue, type SettingType } from '@palisade/core';

/** A short type label for tables: "boolean", "choice", "integer 0-100", "string-list". */
export function typeSummary(type: SettingType): string {
  switch (type.kind) {
    case 'integer':
      return type.min !== undefined && type.max !== undefined
        ? `integer ${type.min}-${type.max}`
        : 'integer';
    case 'boolean':
    case 'choice':
    case 'string':
    case 'string-list':
    case 'map':
    case 'structured-list':
      return type.kind;
    default:
      return assertNever(type, 'setting type');
  }
}

export function formatJson(value: JsonValue | undefined): string {
  return value === undefined ? '' : JSON.stringify(value);
}

/** Rows padded into aligned columns, the first row a header. */
export function formatTable(rows: readonly (readonly string[])[]): string {
  const widths: number[] = [];
  for (const row of rows) {
    row.forEach((cell, index) => {
      widths[index] = Math.max(widths[index] ?? 0, cell.length);
    });
  }
  return rows
    .map((row) =>
      row
        .map((cell, index) => (index === row.length - 1 ? cell : cell.padEnd(widths[index] ?? 0)))
        .join('  '),
    )
    .join('\n');
}
