/**
 * The built `palisade-agent` (dist/main.js), which the command-line tests run as a child process.
 * `npm test` builds first; a test run on its own builds the agent when the binary is missing or
 * older than a source file.
 */
import { spawnSync } from 'node:child_process';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const repo = fileURLToPath(new URL('../../../', import.meta.url));
export const agentBin = join(repo, 'packages/agent/dist/main.js');

function builtIsFresh(): boolean {
  if (!existsSync(agentBin)) return false;
  const built = statSync(agentBin).mtimeMs;
  const sources = readdirSync(join(repo, 'packages/agent/src'), {
    recursive: true,
    encoding: 'utf8',
  });
  return sources.every(
    (file) =>
      !file.endsWith('.ts') || statSync(join(repo, 'packages/agent/src', file)).mtimeMs <= built,
  );
}

export function ensureAgentBuilt(): void {
  if (builtIsFresh()) return;
  const build = spawnSync('npx', ['tsc', '-b', 'packages/agent'], { cwd: repo, encoding: 'utf8' });
  if (build.status !== 0)
    throw new Error(`building the agent failed: ${build.stdout}${build.stderr}`);
}
