/**
 * A load-generator worker process (forked by load-generator.ts): keeps `connections` keep-alive
 * connections busy, one request after the other on each (closed loop), for a warm-up and then a
 * measured period, and sends back counts and latencies.
 */
import http from 'node:http';
import type { LoadRequest, LoadSpec, LoadWorkerResult } from './load-spec.js';

function send(
  agent: http.Agent,
  base: URL,
  request: LoadRequest,
): Promise<{ status: number; bytes: number }> {
  return new Promise((resolve, reject) => {
    const outgoing = http.request(
      {
        hostname: base.hostname,
        port: base.port,
        method: request.method,
        path: request.path,
        agent,
        headers:
          request.body === undefined
            ? request.headers
            : { ...request.headers, 'content-length': Buffer.byteLength(request.body) },
      },
      (response) => {
        let bytes = 0;
        response.on('data', (chunk: Buffer) => {
          bytes += chunk.length;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, bytes }));
        response.on('error', reject);
      },
    );
    outgoing.on('error', reject);
    outgoing.end(request.body);
  });
}

async function run(spec: LoadSpec): Promise<LoadWorkerResult> {
  const base = new URL(spec.baseUrl);
  const agent = new http.Agent({ keepAlive: true, maxSockets: spec.connections });
  const start = performance.now();
  const measureFrom = start + spec.warmupMs;
  const stopAt = measureFrom + spec.durationMs;
  const latencies: number[] = [];
  const badStatuses: Record<string, number> = {};
  let requests = 0;
  let errors = 0;
  let bodyBytes = 0;
  const stride = spec.connections * spec.workers;
  const loop = async (connection: number) => {
    let position = spec.workerIndex * spec.connections + connection;
    for (;;) {
      const now = performance.now();
      if (now >= stopAt) return;
      const request = spec.requests[position % spec.requests.length];
      position += stride;
      if (!request) return;
      try {
        const answer = await send(agent, base, request);
        const end = performance.now();
        if (now < measureFrom) continue;
        requests += 1;
        bodyBytes += answer.bytes;
        latencies.push(end - now);
        if (answer.status >= 300 && answer.status !== 304) {
          badStatuses[answer.status] = (badStatuses[answer.status] ?? 0) + 1;
        }
      } catch {
        if (now >= measureFrom) errors += 1;
      }
    }
  };
  await Promise.all(Array.from({ length: spec.connections }, (_, k) => loop(k)));
  agent.destroy();
  return {
    requests,
    errors,
    badStatuses,
    bodyBytes,
    elapsedMs: performance.now() - measureFrom,
    latenciesMs: latencies,
  };
}

process.once('message', (spec: LoadSpec) => {
  void run(spec).then((result) => {
    process.send?.(result, () => process.exit(0));
  });
});
