/**
 * Every key the Defender drivers write is a documented key of `mdatp_managed.json` (Linux) or of
 * the `com.microsoft.wdav` preferences (macOS), of the documented type, with a documented value
 * where the documentation lists them (the references, kept in core's catalog fixtures). Each driver
 * applies every catalog setting that maps to it, at the platform's default, plus exclusions of
 * each type.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { type JsonValue, SETTINGS } from '@palisade/core';
import { describe, expect, it } from 'vitest';
import type { CodecDriver } from './codec-driver.js';
import { isObject, type JsonObject } from './json-tree.js';
import {
  MacosDefenderDriver,
  parseWdavPlist,
  WDAV_PLIST_FILE,
} from './macos-defender/macos-defender-driver.js';
import { MDATP_MANAGED_FILE, MdatpDriver, parseMdatpManaged } from './mdatp/mdatp-driver.js';
import { contextIn, settingsOf, tempRoot } from './test-support.js';

interface SchemaNode {
  readonly key: string;
  readonly type: string;
  readonly values?: unknown;
  readonly children?: readonly SchemaNode[];
  readonly appliesWhen?: string;
}

const referenceSchema = (name: string): SchemaNode[] =>
  (
    JSON.parse(
      readFileSync(join(import.meta.dirname, '../../../core/src/catalog/fixtures', name), 'utf8'),
    ) as { schema: SchemaNode[] }
  ).schema;

function checkValue(value: JsonValue, node: SchemaNode, path: string, problems: string[]): void {
  // The macOS reference says dict where the Linux one says object.
  const type = node.type.split(' ')[0]?.replace('dict', 'object');
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

const TARGETS = [
  {
    driver: () => new MdatpDriver(),
    platform: 'linux',
    reference: 'mdatp-linux-managed.json',
    file: MDATP_MANAGED_FILE,
    parse: parseMdatpManaged,
  },
  {
    driver: () => new MacosDefenderDriver(),
    platform: 'macos',
    reference: 'mdatp-macos.json',
    file: WDAV_PLIST_FILE,
    parse: parseWdavPlist,
  },
] as const;

describe('Defender managed configuration against the documented schema', () => {
  for (const target of TARGETS) {
    it(`${target.file} holds only documented keys, types and values`, async () => {
      const driver: CodecDriver<JsonObject> = target.driver();
      const values: Record<string, JsonValue> = {
        'exclusions.paths': ['/var/lib/postgresql/', '/srv/cache/data.db'],
        'exclusions.extensions': ['log'],
        'exclusions.processes': ['rsync'],
      };
      for (const setting of SETTINGS) {
        const value = setting.platformDefaults?.[target.platform] ?? setting.default;
        if (setting.native[driver.target] && value !== null && !(setting.id in values))
          values[setting.id] = value;
      }
      const root = tempRoot();
      const outcome = await driver.apply(settingsOf(values), contextIn(root));
      expect(outcome.results.filter((result) => result.status === 'failed')).toEqual([]);
      const written = target.parse(readFileSync(join(root, target.file), 'utf8'));
      expect(Object.keys(written).length).toBeGreaterThan(3);
      const problems: string[] = [];
      checkObject(written, referenceSchema(target.reference), '', problems);
      expect(problems).toEqual([]);
    });
  }
});
