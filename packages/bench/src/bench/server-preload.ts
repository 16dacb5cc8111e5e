/**
 * Preloaded into a benchmarked server (`node --expose-gc --import …/server-preload.js`), so a
 * benchmark can look inside it without any hook in the server itself:
 * - SIGUSR2: run a full garbage collection and write the process's memory to the file named by
 *   PALISADE_BENCH_MEMORY_FILE (the `connections` benchmark reads resident memory after a GC);
 * - SIGURG: start a CPU profile; the next SIGURG stops it and writes `<label>-<n>.cpuprofile` into
 *   PALISADE_BENCH_PROFILE_DIR — so `--profile` covers only a benchmark's measured window.
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { Session } from 'node:inspector';
import path from 'node:path';
import { getHeapSpaceStatistics } from 'node:v8';

const memoryFile = process.env.PALISADE_BENCH_MEMORY_FILE;
const collect = (globalThis as { gc?: () => void }).gc;

if (memoryFile && collect) {
  process.on('SIGUSR2', () => {
    collect();
    collect();
    // V8 sweeps and gives pages back on background threads after a collection: read the memory a
    // moment later, or the figure catches pages on their way out (seen: ±5 KB per agent).
    setTimeout(() => writeMemory(memoryFile, collect), 1_000);
  });
}

function writeMemory(file: string, collect: () => void): void {
  collect();
  const spaces = Object.fromEntries(
    getHeapSpaceStatistics().map((space) => [
      space.space_name,
      { committed: space.physical_space_size, used: space.space_used_size },
    ]),
  );
  writeFileSync(
    file,
    JSON.stringify({
      ...process.memoryUsage(),
      spaces,
      mappings: residentByMapping(),
      at: Date.now(),
    }),
  );
}

/**
 * Resident kilobytes by kind of mapping (Linux /proc/self/smaps): `[heap]` (malloc's main arena),
 * `[anon]` (V8's heap, other arenas, thread stacks), and files by name (the node binary, shared
 * libraries, SQLite's WAL index). Empty where /proc is not there.
 */
function residentByMapping(): Record<string, number> {
  const resident: Record<string, number> = {};
  let text: string;
  try {
    text = readFileSync('/proc/self/smaps', 'utf8');
  } catch {
    return resident;
  }
  let current = '[anon]';
  for (const line of text.split('\n')) {
    const mapping = /^[0-9a-f]+-[0-9a-f]+ \S+ \S+ \S+ \S+\s*(.*)$/.exec(line);
    if (mapping) {
      current = path.basename(mapping[1] || '[anon]');
      continue;
    }
    const rss = /^Rss:\s+(\d+) kB/.exec(line);
    if (rss) resident[current] = (resident[current] ?? 0) + Number(rss[1]);
  }
  return resident;
}

const profileDir = process.env.PALISADE_BENCH_PROFILE_DIR;
if (profileDir) {
  const session = new Session();
  session.connect();
  let profiling = false;
  let count = 0;
  // PALISADE_BENCH_PROFILE_KIND=allocations: what the window allocated (sampled, collected
  // objects included), instead of where its CPU time went.
  const kind = process.env.PALISADE_BENCH_PROFILE_KIND;
  // `retained`: only what the window allocated that is still alive at its end (what each young
  // collection of the window had to copy, and what reaches the old generation).
  const allocations = kind === 'allocations' || kind === 'retained';
  const collected = kind === 'allocations';
  const write = (profile: unknown, extension: string) => {
    count += 1;
    const label = process.env.PALISADE_BENCH_PROFILE_LABEL ?? 'server';
    const file = path.join(profileDir, `${label}-${process.pid}-${count}.${extension}`);
    writeFileSync(file, JSON.stringify(profile));
  };
  process.on('SIGURG', () => {
    if (!profiling) {
      profiling = true;
      if (allocations) {
        session.post('HeapProfiler.enable', () =>
          session.post('HeapProfiler.startSampling', {
            samplingInterval: 8192,
            includeObjectsCollectedByMajorGC: collected,
            includeObjectsCollectedByMinorGC: collected,
          }),
        );
      } else session.post('Profiler.enable', () => session.post('Profiler.start'));
      return;
    }
    profiling = false;
    if (allocations) {
      session.post('HeapProfiler.stopSampling', (error, result) => {
        if (!error) write(result.profile, 'heapprofile');
      });
      return;
    }
    session.post('Profiler.stop', (error, result) => {
      if (!error) write(result.profile, 'cpuprofile');
    });
  });
}
