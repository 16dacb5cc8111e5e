/**
 * Every key the mdatp driver writes is a documented key of `mdatp_managed.json`, of the documented
 * type, with a documented value where the documentation lists them (the reference, kept in core's
 * catalog fixtures). The driver applies every catalog setting that maps to mdatp, at its Linux
 * default, plus exclusions of each type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JsonValue, SETTINGS } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import { isObject } from '../json-tree.js';
import { contextIn, settingsOf, tempRoot } from '../test-support.js';
import { MDATP_MANAGED_FILE, MdatpDriver } from './mdatp-driver.js';

interface SchemaNode {
  readonly key: string;
  readonly type: string;
  readonly values?: unknown;
  readonly children?: readonly SchemaNode[];
  readonly appliesWhen?: string;
}

const reference = JSON.parse(
  readFileSync(
    join(import.meta.dirname, '../../../../core/src/catalog/fixtures/mdatp-linux-managed.json'),
    'utf8',
  ),
) as { schema: SchemaNode[] };

function checkValue(value: JsonValue, node: SchemaNode, path: string, problems: string[]): void {
  const type = node.type.split(' ')[0];
  const documented = Array.isArray(node.values) ? (node.values as unknown[]) : null;
  if (documented && !documented.includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} is not one of ${JSON.stringify(documented)}`);
  switch (type) {
    case 'object':
      if (!isObject(value)) problems.push(`${path}: expected an object`);
      else checkObject(value, node.children ?? [], path, problems);
      return;
    case 'string':
      // Documented as a string holding an integer; Microsoft's examples write a JSON number.
      if (typeof value !== 'string' && !(node.type.includes('integer') && Number.isInteger(value)))
        problems.push(`${path}: expected a string, found ${JSON.stringify(value)}`);
      return;
    case 'boolean':
      if (typeof value !== 'boolean') problems.push(`${path}: expected a boolean`);
      return;
    case 'integer':
      if (!Number.isInteger(value)) problems.push(`${path}: expected an integer`);
      return;
    case 'array<string>':
      if (!Array.isArray(value) || value.some((item) => typeof item !== 'string'))
        problems.push(`${path}: expected a list of strings`);
      return;
    case 'array<object>':
      if (!Array.isArray(value)) problems.push(`${path}: expected a list`);
      else
        value.forEach((item, index) => {
          if (!isObject(item)) problems.push(`${path}[${index}]: expected an object`);
          else checkObject(item, node.children ?? [], `${path}[${index}]`, problems);
        });
      return;
    default:
      problems.push(`${path}: the reference type ${node.type} is not known to this test`);
  }
}

function checkObject(
  value: { readonly [key: string]: JsonValue },
  nodes: readonly SchemaNode[],
  path: string,
  problems: string[],
): void {
  for (const [key, child] of Object.entries(value)) {
    const where = path === '' ? key : `${path}.${key}`;
    const node = nodes.find((candidate) => candidate.key === key);
    if (!node) {
      problems.push(`${where} is not a documented key`);
      continue;
    }
    const condition = /^\$type == (\w+)$/.exec(node.appliesWhen ?? '');
    if (condition && value.$type !== condition[1])
      problems.push(`${where} is documented only for $type ${condition[1]}`);
    checkValue(child, node, where, problems);
  }
}

describe('mdatp_managed.json against the documented schema', () => {
  it('holds only documented keys, types and values for every catalog setting mapped to mdatp', async () => {
    const values: Record<string, JsonValue> = {
      'exclusions.paths': ['/var/lib/postgresql/', '/srv/cache/data.db'],
      'exclusions.extensions': ['log'],
      'exclusions.processes': ['rsync'],
    };
    for (const setting of SETTINGS) {
      const value = setting.platformDefaults?.linux ?? setting.default;
      if (setting.native.mdatp && value !== null && !(setting.id in values))
        values[setting.id] = value;
    }
    const root = tempRoot();
    const outcome = await new MdatpDriver().apply(settingsOf(values), contextIn(root));
    expect(outcome.results.filter((result) => result.status === 'failed')).toEqual([]);
    const written = JSON.parse(readFileSync(join(root, MDATP_MANAGED_FILE), 'utf8')) as {
      readonly [key: string]: JsonValue;
    };
    expect(Object.keys(written).length).toBeGreaterThan(3);
    const problems: string[] = [];
    checkObject(written, reference.schema, '', problems);
    expect(problems).toEqual([]);
  });
});
