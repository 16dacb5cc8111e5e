/**
 * Kill-safety: the server's `main` (what `palisade serve` runs) in a real process takes a burst of writes and is
 * killed with SIGKILL while some are still in flight; after a restart on the same database every
 * write that was acknowledged is there, with its audit entry, and nothing half-written is.
 */
import { type ChildProcess, execFileSync, spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { signIn } from './http.js';
import { describeEachStore, TEST_ADMIN_PASSWORD } from './stores.js';

const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
const SERVER_MAIN = join(ROOT, 'packages/server/dist/main.js');
/** Runs the built server's `main` with the arguments after `--`, as `palisade serve` does. */
const RUN_MAIN = `import(${JSON.stringify(SERVER_MAIN)}).then((m) => m.main(process.argv.slice(1))).then((code) => process.exit(code))`;

interface ServeProcess {
  readonly url: string;
  readonly child: ChildProcess;
}

const children = new Set<ChildProcess>();

function serve(databaseArgs: readonly string[]): Promise<ServeProcess> {
  const child = spawn(
    process.execPath,
    ['-e', RUN_MAIN, '--', '--port', '0', '--host', '127.0.0.1', ...databaseArgs],
    {
      env: { ...process.env, PALISADE_ADMIN_PASSWORD: TEST_ADMIN_PASSWORD },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  children.add(child);
  child.once('exit', () => children.delete(child));
  return new Promise((resolve, reject) => {
    let output = '';
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(output);
      if (match?.[1]) {
        child.stdout?.off('data', onData);
        child.stdout?.resume();
        resolve({ url: match[1], child });
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', (chunk: Buffer) => {
      output += chunk.toString();
    });
    child.once('exit', (code) =>
      reject(new Error(`palisade serve exited with ${code}: ${output}`)),
    );
  });
}

function kill(serveProcess: ServeProcess): Promise<void> {
  return new Promise((resolve) => {
    const { child } = serveProcess;
    if (child.exitCode !== null || child.signalCode !== null) return resolve();
    child.once('exit', () => resolve());
    child.kill('SIGKILL');
  });
}

beforeAll(() => {
  execFileSync('npx', ['tsc', '-b', 'packages/server'], { cwd: ROOT, stdio: 'inherit' });
}, 240_000);

afterAll(() => {
  for (const child of children) child.kill('SIGKILL');
});

describeEachStore('kill-safety', (target) => {
  let dataDir: string;
  beforeAll(() => {
    dataDir = mkdtempSync(join(tmpdir(), 'palisade-kill-'));
  });
  afterAll(() => {
    rmSync(dataDir, { recursive: true, force: true });
  });

  const databaseArgs = () =>
    target.kind === 'sqlite' ? ['--data', dataDir] : ['--database', target.databaseUrlWithSchema];

  it('keeps every acknowledged write across SIGKILL', async () => {
    const first = await serve(databaseArgs());
    const admin = await signIn(first.url);
    const acknowledged: string[] = [];
    // A burst of writes; the process is killed as soon as the tenth is acknowledged, while the
    // rest are in flight. Those answered 201 must survive; the others may or may not exist.
    const writes = Array.from({ length: 30 }, (_, index) =>
      admin
        .post<{ id: string }>('/api/v1/groups', { kind: 'assigned', name: `Kill group ${index}` })
        .then(async (answer) => {
          if (answer.status === 201) {
            acknowledged.push(answer.body.id);
            if (acknowledged.length === 10) await kill(first);
          }
        })
        .catch(() => {}),
    );
    await Promise.all(writes);
    await kill(first);
    expect(acknowledged.length).toBeGreaterThanOrEqual(10);

    const second = await serve(databaseArgs());
    try {
      const again = await signIn(second.url);
      const groups = await again.get<{ items: { id: string; name: string }[] }>(
        '/api/v1/groups?limit=500',
      );
      const present = new Set(groups.body.items.map((group) => group.id));
      for (const id of acknowledged) expect(present.has(id), `acknowledged group ${id}`).toBe(true);
      // Every group that exists was written whole: with its audit entry, in the same transaction.
      const audit = await again.get<{ items: { objectId: string }[] }>(
        '/api/v1/audit?action=group.create&limit=500',
      );
      const audited = new Set(audit.body.items.map((entry) => entry.objectId));
      for (const group of groups.body.items) expect(audited.has(group.id), group.name).toBe(true);
    } finally {
      await kill(second);
    }
  });
});
