import { createReadStream } from 'node:fs';
import type { Readable } from 'node:stream';

/** Standard input, whole. */
export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(Buffer.from(chunk as Uint8Array));
  return Buffer.concat(chunks).toString('utf8');
}

/** A file, or standard input for "-", as a stream; the caller reports a missing file. */
export function openInput(path: string): Readable {
  return path === '-' ? process.stdin : createReadStream(path, { encoding: 'utf8' });
}
