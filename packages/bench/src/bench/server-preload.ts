/**
 * Preloaded into a benchmarked `palisade serve` (`node --expose-gc --import …/gc-preload.js`): on
 * SIGUSR2 it runs a full garbage collection and writes the process's memory to the file named by
 * PALISADE_BENCH_MEMORY_FILE, so the `connections` benchmark can read resident memory after a
 * forced GC without any hook in the server itself.
 */
import { writeFileSync } from 'node:fs';

const target = process.env.PALISADE_BENCH_MEMORY_FILE;
const collect = (globalThis as { gc?: () => void }).gc;

if (target && collect) {
  process.on('SIGUSR2', () => {
    collect();
    collect();
    const usage = process.memoryUsage();
    writeFileSync(target, JSON.stringify({ ...usage, at: Date.now() }));
  });
}
