/**
 * Preloaded into a benchmarked server (`node --expose-gc --import …/server-preload.js`), so a
 * benchmark can look inside it without any hook in the server itself:
 * - SIGUSR2: run a full garbage collection and write the process's memory to the file named by
 *   PALISADE_BENCH_MEMORY_FILE (the `connections` benchmark reads resident memory after a GC);
 * - SIGURG: start a CPU profile; the next SIGURG stops it and writes `<label>-<n>.cpuprofile` into
 *   PALISADE_BENCH_PROFILE_DIR — so `--profile` covers only a benchmark's measured window.
 */
import { writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';

const memoryFile = process.env.PALISADE_BENCH_MEMORY_FILE;
const collect = (globalThis as { gc?: () => void }).gc;

if (memoryFile && collect) {
  process.on('SIGUSR2', () => {
    collect();
    collect();
    const spaces = Object.fromEntries(
      getHeapSpaceStatistics().map((space) => [
        space.space_name,
        { committed: space.physical_space_size, used: space.space_used_size },
      ]),
    );
    writeFileSync(memoryFile, JSON.stringify({ ...process.memoryUsage(), spaces, at: Date.now() }));
  });
}

const profileDir = process.env.PALISADE_BENCH_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  let profiling = false;
  let count = 0;
  process.on('SIGURG', () => {
    if (!profiling) {
      profiling = true;
      session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    profiling = false;
    session.post('Profiler.stop', (error, result) => {
      if (error) return;
      count += 1;
      const label = process.env.PALISADE_BENCH_PROFILE_LABEL ?? 'server';
      const file = path.join(profileDir, `${label}-${process.pid}-${count}.cpuprofile`);
      writeFileSync(file, JSON.stringify(result.profile));
    });
  });
}
