/**
 * The load generator: several worker processes (node:http keep-alive, closed loop) hitting one
 * server, used the same way against Palisade and against the baseline, so their ratio cancels most
 * of the noise of a shared machine.
 */
import { fork } from 'node:child_process';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { type Figures, latencyFigures, round } from './figures.js';
import type { LoadRequest, LoadSpec, LoadWorkerResult } from './load-spec.js';

const WORKER = fileURLToPath(new URL('./load-worker.js', import.meta.url));

export interface LoadOptions {
  readonly baseUrl: string;
  readonly requests: readonly LoadRequest[];
  /** Total connections across workers. */
  readonly connections: number;
  readonly durationMs: number;
  readonly warmupMs?: number;
  /** Worker processes; default: cores − 1 (the server gets a core), at least 1. */
  readonly workers?: number;
}

export interface LoadResult {
  readonly requestsPerSecond: number;
  readonly requests: number;
  readonly errors: number;
  readonly badStatuses: Record<string, number>;
  readonly bytesPerAnswer: number;
  readonly latency: Figures;
}

export function defaultWorkers(): number {
  return Math.max(1, os.availableParallelism() - 1);
}

export async function generateLoad(options: LoadOptions): Promise<LoadResult> {
  const workers = options.workers ?? defaultWorkers();
  const perWorker = Math.max(1, Math.round(options.connections / workers));
  const results = await Promise.all(
    Array.from({ length: workers }, (_, workerIndex) => {
      const spec: LoadSpec = {
        baseUrl: options.baseUrl,
        connections: perWorker,
        durationMs: options.durationMs,
        warmupMs: options.warmupMs ?? 1_000,
        requests: options.requests,
        workerIndex,
        workers,
      };
      return runWorker(spec);
    }),
  );
  const requests = results.reduce((sum, r) => sum + r.requests, 0);
  const elapsed = Math.max(...results.map((r) => r.elapsedMs));
  const badStatuses: Record<string, number> = {};
  for (const result of results) {
    for (const [status, count] of Object.entries(result.badStatuses)) {
      badStatuses[status] = (badStatuses[status] ?? 0) + count;
    }
  }
  const latencies = results.flatMap((r) => r.latenciesMs);
  return {
    requestsPerSecond: round((requests / elapsed) * 1000, 0) ?? 0,
    requests,
    errors: results.reduce((sum, r) => sum + r.errors, 0),
    badStatuses,
    bytesPerAnswer:
      requests === 0 ? 0 : results.reduce((sum, r) => sum + r.bodyBytes, 0) / requests,
    latency: latencyFigures('', latencies),
  };
}

function runWorker(spec: LoadSpec): Promise<LoadWorkerResult> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let answered = false;
    child.once('message', (result: LoadWorkerResult) => {
      answered = true;
      resolve(result);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      if (!answered) reject(new Error(`load worker exited (${code}) without a result`));
    });
    child.send(spec);
  });
}
