/**
 * Benchmark figures: percentiles, the results file each benchmark writes
 * (`packages/bench/results/<name>.json`), and the table it prints. Figure names carry their unit
 * (`p99_ms`, `requests_per_s`, `bytes_per_agent`, `ratio_to_baseline`, …).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import { fileURLToPath } from 'node:url';

export type Figures = Record<string, number | string | boolean | null>;

export interface BenchResult {
  readonly name: string;
  /** What was measured and how big: devices, rules, replicas, database… */
  readonly parameters: Figures;
  readonly figures: Figures;
  /** Targets from the issue with whether this run met them. */
  readonly targets: readonly TargetCheck[];
  readonly notes: readonly string[];
}

export interface TargetCheck {
  readonly figure: string;
  readonly target: string;
  readonly met: boolean | null;
}

/** Nearest-rank percentile of unsorted samples; null when there are none. */
export function percentile(samples: readonly number[], p: number): number | null {
  if (samples.length === 0) return null;
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1));
  return sorted[rank] ?? null;
}

export function round(value: number | null, digits = 2): number | null {
  if (value === null || !Number.isFinite(value)) return null;
  const factor = 10 ** digits;
  return Math.round(value * factor) / factor;
}

/** The largest sample, or null; a loop, since spreading 100k+ samples into Math.max overflows the stack. */
export function minimum(samples: readonly number[]): number | null {
  let min: number | null = null;
  for (const sample of samples) if (min === null || sample < min) min = sample;
  return min;
}

export function maximum(samples: readonly number[]): number | null {
  let max: number | null = null;
  for (const sample of samples) if (max === null || sample > max) max = sample;
  return max;
}

export function latencyFigures(prefix: string, samplesMs: readonly number[]): Figures {
  const name = (figure: string) => (prefix === '' ? figure : `${prefix}_${figure}`);
  return {
    [name('min_ms')]: round(minimum(samplesMs)),
    [name('p50_ms')]: round(percentile(samplesMs, 50)),
    [name('p90_ms')]: round(percentile(samplesMs, 90)),
    [name('p99_ms')]: round(percentile(samplesMs, 99)),
    [name('max_ms')]: round(maximum(samplesMs)),
    [name('count')]: samplesMs.length,
  };
}

function commit(): string {
  try {
    return execFileSync('git', ['rev-parse', 'HEAD'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unknown';
  }
}

export const RESULTS_DIR = fileURLToPath(new URL('../../results/', import.meta.url));

/** Writes `results/<name>.json` with the machine's cores, Node version and commit. */
export function writeResult(result: BenchResult, variant = ''): string {
  mkdirSync(RESULTS_DIR, { recursive: true });
  const file = `${RESULTS_DIR}${result.name}${variant}.json`;
  const document = {
    name: result.name,
    measuredAt: new Date().toISOString(),
    machine: {
      cores: os.availableParallelism(),
      cpu: os.cpus()[0]?.model ?? 'unknown',
      memory_bytes: os.totalmem(),
      node: process.version,
      platform: `${os.platform()} ${os.release()}`,
      // Other work on the machine skews every figure; the baseline ratio cancels part of it.
      load_average_1m_at_end: round(os.loadavg()[0] ?? null, 2),
    },
    commit: commit(),
    parameters: result.parameters,
    figures: result.figures,
    targets: result.targets,
    notes: result.notes,
  };
  writeFileSync(file, `${JSON.stringify(document, null, 2)}\n`);
  return file;
}

export function formatTable(result: BenchResult): string {
  const rows: [string, string][] = [
    ...Object.entries(result.parameters).map(([k, v]): [string, string] => [k, String(v)]),
    ['', ''],
    ...Object.entries(result.figures).map(([k, v]): [string, string] => [
      k,
      v === null ? '—' : String(v),
    ]),
  ];
  const width = Math.max(...rows.map(([k]) => k.length));
  const lines = [`── ${result.name} ${'─'.repeat(Math.max(0, 60 - result.name.length))}`];
  for (const [key, value] of rows) lines.push(key === '' ? '' : `  ${key.padEnd(width)}  ${value}`);
  if (result.targets.length > 0) {
    lines.push('', '  targets:');
    for (const check of result.targets) {
      const mark = check.met === null ? '?' : check.met ? 'met' : 'MISSED';
      lines.push(`    ${check.figure.padEnd(width)}  ${check.target.padEnd(14)} ${mark}`);
    }
  }
  for (const note of result.notes) lines.push(`  note: ${note}`);
  return lines.join('\n');
}

export function check(
  figure: string,
  target: string,
  value: unknown,
  ok: (v: number) => boolean,
): TargetCheck {
  return { figure, target, met: typeof value === 'number' ? ok(value) : null };
}

/** A Prometheus histogram as read from /metrics: cumulative counts by upper bound (seconds). */
export type HistogramCounts = ReadonlyMap<number, number>;

/** Reads histogram `name` (no labels) from a server's /metrics; empty when absent. */
export async function readHistogram(baseUrl: string, name: string): Promise<HistogramCounts> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const counts = new Map<number, number>();
  const prefix = `${name}_bucket{le="`;
  for (const line of text.split('\n')) {
    if (!line.startsWith(prefix)) continue;
    const bound = line.slice(prefix.length, line.indexOf('"', prefix.length));
    counts.set(
      bound === '+Inf' ? Number.POSITIVE_INFINITY : Number(bound),
      Number(line.split(' ').pop()),
    );
  }
  return counts;
}

/**
 * From two readings of one histogram: how many observations fell between them, and the upper
 * bound (ms) of the bucket holding the given percentile of those (null when none).
 */
export function histogramPercentileMs(
  before: HistogramCounts,
  after: HistogramCounts,
  p: number,
): { count: number; boundMs: number | null } {
  const bounds = [...after.keys()].sort((a, b) => a - b);
  const count =
    (after.get(Number.POSITIVE_INFINITY) ?? 0) - (before.get(Number.POSITIVE_INFINITY) ?? 0);
  if (count <= 0) return { count: 0, boundMs: null };
  const wanted = Math.ceil((p / 100) * count);
  for (const bound of bounds) {
    const below = (after.get(bound) ?? 0) - (before.get(bound) ?? 0);
    if (below >= wanted) return { count, boundMs: Number.isFinite(bound) ? bound * 1000 : null };
  }
  return { count, boundMs: null };
}

/** The least-squares slope of y over x through the points (y per unit of x). */
export function leastSquaresSlope(points: readonly (readonly [number, number])[]): number {
  const n = points.length;
  if (n < 2) return Number.NaN;
  const meanX = points.reduce((sum, [x]) => sum + x, 0) / n;
  const meanY = points.reduce((sum, [, y]) => sum + y, 0) / n;
  let covariance = 0;
  let variance = 0;
  for (const [x, y] of points) {
    covariance += (x - meanX) * (y - meanY);
    variance += (x - meanX) ** 2;
  }
  return variance === 0 ? Number.NaN : covariance / variance;
}
