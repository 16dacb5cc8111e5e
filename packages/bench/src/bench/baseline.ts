/** Starts and stops the baseline server process (baseline-server.ts). */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { SERVE_NODE_FLAGS } from './server-processes.js';

const BASELINE = fileURLToPath(new URL('./baseline-server.js', import.meta.url));

export interface Baseline {
  readonly url: string;
  stop(): Promise<void>;
}

/** `body` exactly, or a JSON body of about `bytes` bytes. */
export async function startBaseline(
  answer: { body: string } | { bytes: number },
): Promise<Baseline> {
  const args = 'body' in answer ? ['--body', answer.body] : ['--bytes', String(answer.bytes)];
  const child = spawn(process.execPath, [...SERVE_NODE_FLAGS, BASELINE, ...args], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const port = await new Promise<number>((resolve, reject) => {
    lines.once('line', (line) => resolve((JSON.parse(line) as { port: number }).port));
    child.once('exit', (code) => reject(new Error(`baseline server exited (${code})`)));
  });
  return {
    url: `http://127.0.0.1:${port}`,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
