/**
 * The rule commands, run as an administrator runs them: the built `palisade` binary in a child
 * process, on the reference examples of the directory's documentation.
 */
import { execFileSync, spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';

const repoRoot = fileURLToPath(new URL('../../../../../', import.meta.url));
const examplesPath = `${repoRoot}packages/core/test/fixtures/rule-examples.jsonl`;

function palisade(args: readonly string[], input?: string) {
  const result = spawnSync(process.execPath, [`${repoRoot}packages/cli/dist/main.js`, ...args], {
    cwd: repoRoot,
    encoding: 'utf8',
    input: input ?? '',
  });
  return { code: result.status, stdout: result.stdout, stderr: result.stderr };
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-b', 'packages/cli'], { cwd: repoRoot, stdio: 'inherit' });
});

describe('palisade rule check', () => {
  it('prints valid and exits 0 for a valid rule', () => {
    const result = palisade([
      'rule',
      'check',
      '(device.deviceOSType -eq "Linux") -and (device.managementType -eq "MicrosoftSense")',
    ]);
    expect(result).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('prints the error with its position and a caret, and exits 1', () => {
    const rule = '(device.deviceOSType -eq "Sales") (device.deviceOSType -eq "Marketing")';
    const result = palisade(['rule', 'check', rule]);
    expect(result.code).toBe(1);
    const [message, echoed, caret] = result.stdout.split('\n');
    expect(message).toMatch(
      /^error at line 1, column 35: Query compilation error\. Missing -and or -or/,
    );
    expect(echoed).toBe(rule);
    expect(caret).toBe(`${' '.repeat(34)}^`);
  });

  it('checks against the chosen schema', () => {
    expect(
      palisade(['rule', 'check', 'device.osPlatform -eq "Linux"', '--schema', 'asset']).code,
    ).toBe(0);
    const asDevice = palisade(['rule', 'check', 'device.osPlatform -eq "Linux"']);
    expect(asDevice.code).toBe(1);
    expect(asDevice.stdout).toContain('Attribute not supported.');
  });

  it('reads the rule from standard input with "-"', () => {
    const result = palisade(['rule', 'check', '-'], 'device.isRooted -eq true\n');
    expect(result).toMatchObject({ code: 0, stdout: 'valid\n' });
  });

  it('exits 2 on bad usage', () => {
    expect(palisade(['rule', 'check']).code).toBe(2);
    expect(palisade(['rule', 'check', 'x', '--schema', 'users']).code).toBe(2);
    expect(palisade(['rule', 'eval']).code).toBe(2);
  });

  it('has --help', () => {
    for (const args of [['rule'], ['rule', 'check'], ['rule', 'eval'], ['rule', 'format']]) {
      const result = palisade([...args, '--help']);
      expect(result.code).toBe(0);
      expect(result.stdout).toContain('Usage: palisade rule');
    }
  });
});

describe('palisade rule eval --jsonl', () => {
  it('answers every reference example as documented', () => {
    const lines = readFileSync(examplesPath, 'utf8').trimEnd().split('\n');
    const result = palisade(['rule', 'eval', '--jsonl', examplesPath]);
    expect(result.code).toBe(0);
    const answers = result.stdout.trimEnd().split('\n');
    expect(answers).toHaveLength(lines.length);
    lines.forEach((line, index) => {
      const example = JSON.parse(line) as { expected: { valid: boolean; match?: boolean } };
      const answer = JSON.parse(answers[index] ?? '{}') as Record<string, unknown>;
      expect(answer.valid).toBe(example.expected.valid);
      if (example.expected.valid) {
        expect(answer).toEqual({ valid: true, match: example.expected.match, error: null });
      } else {
        expect(answer.match).toBeNull();
        expect(answer.error).toMatch(/^line 1, column \d+: /);
      }
    });
  });

  it('reads standard input with "-" and answers malformed lines, exiting 1', () => {
    const input = [
      '{"rule": "device.displayName -eq \\"pc-1\\"", "device": {"displayName": "PC-1"}}',
      'not json',
      '{"device": {}}',
      '{"rule": "device.displayName -eq \\"a\\"", "device": {"hostname": "a"}}',
      '{"rule": "device.displayName -eq \\"a\\"", "device": {"displayName": 5}}',
      '{"rule": "device.displayname -eq \\"a\\""}',
    ].join('\n');
    const result = palisade(['rule', 'eval', '--jsonl', '-'], `${input}\n`);
    expect(result.code).toBe(1);
    const answers = result.stdout
      .trimEnd()
      .split('\n')
      .map((line) => JSON.parse(line) as { valid: boolean; match: unknown; error: string | null });
    expect(answers).toHaveLength(6);
    expect(answers[0]).toEqual({ valid: true, match: true, error: null });
    expect(answers[1]?.error).toMatch(/^line 2: not JSON/);
    expect(answers[2]?.error).toBe('line 3: "rule" must be a string');
    expect(answers[3]?.error).toBe('line 4: device.hostname: not a property of the device schema');
    expect(answers[4]).toEqual({ valid: true, match: false, error: null });
    expect(answers[5]).toEqual({ valid: true, match: false, error: null });
  });

  it('fails clearly on a missing file', () => {
    const result = palisade(['rule', 'eval', '--jsonl', `${repoRoot}no-such-file.jsonl`]);
    expect(result.code).toBe(1);
    expect(result.stderr).toContain('cannot read');
  });
});

describe('palisade rule format', () => {
  it('prints the canonical form', () => {
    const result = palisade(['rule', 'format', "not device.displayName eq 'it''s'"]);
    expect(result).toMatchObject({ code: 0, stdout: '-not (device.displayName -eq "it\'s")\n' });
  });
});
