/**
 * clamd's command protocol over its socket (`LocalSocket` or `TCPSocket`/`TCPAddr` from
 * clamd.conf): null-terminated `z` commands, one answer. Used to check the daemon is up (PING) and
 * to scan (SCAN) in tests and the support bundle.
 */
import { connect, type Socket } from 'node:net';
import { type ClamdConf, directiveValue } from './clamd-conf.js';

export type ClamdAddress =
  | { readonly path: string }
  | { readonly host: string; readonly port: number };

/** Where clamd listens, from its configuration; null when it listens nowhere we can reach. */
export function clamdAddress(conf: ClamdConf): ClamdAddress | null {
  const path = directiveValue(conf, 'LocalSocket');
  if (path) return { path };
  const port = directiveValue(conf, 'TCPSocket');
  if (port) return { host: directiveValue(conf, 'TCPAddr') ?? '127.0.0.1', port: Number(port) };
  return null;
}

export function clamdCommand(
  address: ClamdAddress,
  command: string,
  timeoutMs = 30_000,
): Promise<string> {
  return new Promise((resolve, reject) => {
    const socket: Socket =
      'path' in address ? connect(address.path) : connect(address.port, address.host);
    const chunks: Buffer[] = [];
    socket.setTimeout(timeoutMs, () =>
      socket.destroy(new Error(`clamd did not answer ${command} in time`)),
    );
    socket.on('connect', () => socket.end(`z${command}\0`));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', reject);
    socket.on('close', () =>
      resolve(Buffer.concat(chunks).toString('utf8').replace(/\0/g, '\n').trim()),
    );
  });
}

export async function clamdPing(address: ClamdAddress): Promise<boolean> {
  try {
    return (await clamdCommand(address, 'PING', 2_000)) === 'PONG';
  } catch {
    return false;
  }
}

/** Scans one path; the answer line, e.g. `/srv/x: Eicar-Signature FOUND` or `/srv/x: OK`. */
export function clamdScan(address: ClamdAddress, path: string): Promise<string> {
  return clamdCommand(address, `SCAN ${path}`);
}
