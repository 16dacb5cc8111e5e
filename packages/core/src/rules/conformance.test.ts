/**
 * The reference examples (rule-examples.jsonl, from the directory's documentation) through the
 * engine: every rule parses or fails as documented, and matches the documented devices.
 */
// biome-ignore lint/style/noRestrictedImports: the test (not core) reads its fixture files
import { existsSync, readFileSync } from 'node:fs';
// biome-ignore lint/style/noRestrictedImports: the test (not core) reads its fixture files
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { compileRuleText, rulePropertiesFrom } from './index.js';

const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
const fixturePath = `${repoRoot}packages/core/test/fixtures/rule-examples.jsonl`;
const referencePath = `${repoRoot}../shared/reference/rule-examples.jsonl`;

interface RuleExample {
  readonly rule: string;
  readonly device: unknown;
  readonly expected: { readonly valid: boolean; readonly match?: boolean };
  readonly source: string;
}

const fixture = readFileSync(fixturePath, 'utf8');
const examples: RuleExample[] = fixture
  .split('\n')
  .filter((line) => line.trim() !== '')
  .map((line) => JSON.parse(line) as RuleExample);

describe('rule-examples.jsonl', () => {
  it('holds the documented examples', () => {
    expect(examples.length).toBeGreaterThanOrEqual(50);
  });

  it.runIf(existsSync(referencePath))('equals the shared reference copy', () => {
    expect(fixture).toBe(readFileSync(referencePath, 'utf8'));
  });

  it.each(examples.map((example, index) => [index + 1, example.source, example] as const))(
    'line %i (%s)',
    (_line, _source, example) => {
      const compiled = compileRuleText(example.rule);
      expect(compiled.ok).toBe(example.expected.valid);
      if (!compiled.ok) {
        expect(compiled.diagnostics.length).toBeGreaterThan(0);
        return;
      }
      const device = rulePropertiesFrom('device', example.device);
      if (!device.ok) throw new Error(device.error);
      expect(compiled.matches(device.properties)).toBe(example.expected.match);
    },
  );
});
