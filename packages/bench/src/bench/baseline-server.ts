/**
 * The baseline of every throughput figure: a minimal Hono app on @hono/node-server (the framework
 * Palisade's server uses) that answers every request with a fixed JSON body of a given size. It
 * runs as its own process, like the server, and prints `{"port":N}` once it listens.
 *
 *   node dist/bench/baseline-server.js --bytes 5120
 */
import type { AddressInfo } from 'node:net';
import { parseArgs } from 'node:util';
import { serve } from '@hono/node-server';
import { Hono } from 'hono';

const { values } = parseArgs({ options: { bytes: { type: 'string' }, body: { type: 'string' } } });
const body =
  values.body ??
  JSON.stringify({
    s: 'c',
    n: 5400,
    padding: 'x'.repeat(Math.max(0, Number(values.bytes ?? '0') - 30)),
  });

const app = new Hono();
app.all('*', (c) => c.body(body, 200, { 'content-type': 'application/json' }));

const server = serve({ fetch: app.fetch, port: 0, hostname: '127.0.0.1' }, (info: AddressInfo) => {
  process.stdout.write(`${JSON.stringify({ port: info.port })}\n`);
});
process.once('SIGTERM', () => server.close(() => process.exit(0)));
