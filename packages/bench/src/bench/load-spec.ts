/** What one load-generator worker is asked to do, and what it answers. */

export interface LoadRequest {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly body?: string;
}

export interface LoadSpec {
  /** http://host:port */
  readonly baseUrl: string;
  /** Keep-alive connections of this worker, each sending one request after the other. */
  readonly connections: number;
  readonly durationMs: number;
  /** Requests sent before measuring starts (fills pools, warms the JIT on both sides). */
  readonly warmupMs: number;
  /** Connection k sends requests[(k + n·connections·workers) mod length]: each its own devices. */
  readonly requests: readonly LoadRequest[];
  readonly workerIndex: number;
  readonly workers: number;
}

export interface LoadWorkerResult {
  readonly requests: number;
  readonly errors: number;
  /** Requests answered with a status other than 2xx/304. */
  readonly badStatuses: Readonly<Record<string, number>>;
  readonly bodyBytes: number;
  readonly elapsedMs: number;
  /** Latency of every measured request, ms. */
  readonly latenciesMs: number[];
}
