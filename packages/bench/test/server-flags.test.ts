/**
 * The benchmarks measure the server as it runs: `npm start` and the benchmarks' server processes
 * give node the flags the server asks for (SERVE_NODE_FLAGS; `palisade serve` prints a note when
 * started without them).
 */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { SERVE_NODE_FLAGS } from '@palisade/server';
import { describe, expect, it } from 'vitest';
import { SERVE_NODE_FLAGS as BENCH_SERVE_FLAGS } from '../src/bench/server-processes.js';

const ROOT_PACKAGE = fileURLToPath(new URL('../../../package.json', import.meta.url));

describe("the server's node flags", () => {
  it('are the same in the server, npm start and the benchmarks', () => {
    expect(BENCH_SERVE_FLAGS).toEqual(SERVE_NODE_FLAGS);
    const start = (JSON.parse(readFileSync(ROOT_PACKAGE, 'utf8')) as { scripts: { start: string } })
      .scripts.start;
    expect(start).toContain(`node ${SERVE_NODE_FLAGS.join(' ')} packages/cli/dist/main.js serve`);
  });
});
