/**
 * Helpers for the driver tests: effective settings as the server sends them, a context rooted in
 * a temporary directory, and golden-file comparison (UPDATE_GOLDEN=1 rewrites the files).
 */
import { existsSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import type { EffectiveSetting, JsonValue } from '@palisade/core';
import { expect } from 'vitest';
import { runCommand } from './commands.js';
import type { AppliedFragments, ApplyContext, DriverContext } from './driver.js';

export function settingsOf(values: Readonly<Record<string, JsonValue>>): EffectiveSetting[] {
  return Object.keys(values)
    .sort()
    .map((id) => ({
      id,
      value: values[id] as JsonValue,
      sources: [{ policyId: 'policy-1', policyName: 'test policy', version: 1 }],
    }));
}

export function tempRoot(): string {
  return mkdtempSync(join(tmpdir(), 'palisade-driver-'));
}

export function contextIn(
  root: string,
  lastApplied: AppliedFragments = {},
  base?: Partial<DriverContext>,
): ApplyContext & {
  readonly lines: string[];
} {
  const lines: string[] = [];
  return { root, run: runCommand, log: (line) => lines.push(line), ...base, lastApplied, lines };
}

export function expectGolden(goldenPath: string, actual: string): void {
  if (process.env.UPDATE_GOLDEN === '1' || !existsSync(goldenPath)) {
    mkdirSync(dirname(goldenPath), { recursive: true });
    writeFileSync(goldenPath, actual);
  }
  expect(actual).toBe(readFileSync(goldenPath, 'utf8'));
}
