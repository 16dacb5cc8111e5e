/**
 * The benchmarks measure the server as it runs: `palisade serve` (the launcher's shebang) and the
 * root `npm start` give node the same flags as the benchmarks' server processes.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { SERVER_NODE_FLAGS } from '../src/bench/server-processes.js';

const LAUNCHER = fileURLToPath(new URL('../../cli/bin/palisade.js', import.meta.url));
const ROOT_PACKAGE = fileURLToPath(new URL('../../../package.json', import.meta.url));

describe("the server's node flags", () => {
  it('are the same in the launcher, npm start and the benchmarks', () => {
    const shebang = readFileSync(LAUNCHER, 'utf8').split('\n')[0] ?? '';
    expect(shebang).toBe(`#!/usr/bin/env -S node ${SERVER_NODE_FLAGS.join(' ')}`);
    const start = (JSON.parse(readFileSync(ROOT_PACKAGE, 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    expect(start).toContain(`node ${SERVER_NODE_FLAGS.join(' ')} packages/cli/dist/main.js serve`);
  });

  it('are accepted: the launcher runs as a command through its shebang', () => {
    const result = spawnSync(LAUNCHER, ['--help'], { encoding: 'utf8' });
    expect(result.error).toBeUndefined();
    expect(result.status).toBe(0);
    expect(result.stdout).toContain('serve');
  });
});
