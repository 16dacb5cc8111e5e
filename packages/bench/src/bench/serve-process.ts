/**
 * The server process a benchmark starts: what `palisade serve` runs (`startServer` from the
 * server package), with the request log at `warn` so that writing one log line per request is not
 * what gets measured. Options: --port N --host H (--data DIR | --database URL).
 */
import path from 'node:path';
import { parseArgs } from 'node:util';

interface RunningServer {
  readonly url: string;
  close(): Promise<void>;
}

interface ServerModule {
  startServer(options: {
    database: string;
    port: number;
    host: string;
    adminPassword?: string;
    logLevel: string;
    webRoot: null;
  }): Promise<RunningServer>;
}

const SERVER = new URL('../../../server/dist/index.js', import.meta.url).href;

const { values } = parseArgs({
  options: {
    port: { type: 'string' },
    host: { type: 'string' },
    data: { type: 'string' },
    database: { type: 'string' },
  },
});
const server = (await import(SERVER)) as ServerModule;
const password = process.env.PALISADE_ADMIN_PASSWORD;
const running = await server.startServer({
  database: values.database ?? path.join(values.data ?? './data', 'palisade.sqlite'),
  port: Number(values.port ?? '8080'),
  host: values.host ?? '127.0.0.1',
  ...(password ? { adminPassword: password } : {}),
  logLevel: process.env.PALISADE_LOG_LEVEL ?? 'warn',
  webRoot: null,
});
process.stdout.write(`listening on ${running.url}\n`);
const stop = () => {
  void running.close().then(() => process.exit(0));
};
process.once('SIGTERM', stop);
process.once('SIGINT', stop);
