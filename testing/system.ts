/**
 * Tests drive real system parts (PostgreSQL, Chromium, nft, clamd). Where one is missing, its
 * tests skip with a message saying what to install; under CI (PALISADE_REQUIRE_SYSTEM=1, set by
 * .ci/run after installing everything) a missing part is a failure instead.
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { it } from 'vitest';

export const systemRequired = process.env.PALISADE_REQUIRE_SYSTEM === '1';

/**
 * Declares a system part for the current file. Call at module level or inside describe; when the
 * part is missing it adds one test that explains (skipped, or failing under CI). Returns whether
 * the part is there, for `describe.runIf(...)`.
 */
export function systemPart(name: string, available: boolean, install: string): boolean {
  if (available) return true;
  const message = `${name} is not available: ${install}`;
  if (systemRequired) {
    it(`requires ${name}`, () => {
      throw new Error(`${message} (PALISADE_REQUIRE_SYSTEM=1 turns this skip into a failure)`);
    });
  } else {
    console.warn(`skipping tests: ${message}`);
    it.skip(`requires ${name} (${install})`, () => {});
  }
  return false;
}

export function hasCommand(command: string, args: readonly string[] = ['--version']): boolean {
  const run = spawnSync(command, args, { stdio: 'ignore', timeout: 10_000 });
  return run.status === 0;
}

export const CHROMIUM_PATH = '/usr/bin/chromium';
export const hasChromium = (): boolean => existsSync(CHROMIUM_PATH);
