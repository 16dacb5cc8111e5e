/**
 * `npm run bench`'s arguments refused before any server starts: a PostgreSQL URL that names no
 * user, where pg would send none (no PGUSER, no USER: a container, a CI job), and the others.
 */
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const RUN = fileURLToPath(new URL('../dist/run.js', import.meta.url));

function bench(args: string[], env: Record<string, string | undefined>) {
  const clean = { ...process.env, ...env };
  for (const [name, value] of Object.entries(env)) if (value === undefined) delete clean[name];
  return spawnSync(process.execPath, [RUN, ...args], { env: clean, encoding: 'utf8' });
}

describe('npm run bench arguments', () => {
  it('refuses a --database URL without a user where neither PGUSER nor USER is set', () => {
    const result = bench(['groups', '--database', 'postgres://127.0.0.1:5432/test'], {
      PGUSER: undefined,
      USER: undefined,
    });
    expect(result.status).toBe(2);
    expect(result.stderr).toContain('--database names no user');
    expect(result.stdout).not.toContain('▶ groups');
  });

  it('refuses --replicas without --database, and a --database that is not PostgreSQL', () => {
    expect(bench(['propagation', '--replicas', '2'], {}).stderr).toContain('needs --database');
    const sqlite = bench(['groups', '--database', 'file.sqlite'], {});
    expect(sqlite.status).toBe(2);
    expect(sqlite.stderr).toContain('must be a postgres:// URL');
  });
});
