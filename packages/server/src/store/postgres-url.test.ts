import { describe, expect, it } from 'vitest';
import { openStore, postgresUrlProblem } from './store.js';

describe('a PostgreSQL URL checked before connecting', () => {
  it('refuses a URL without a user where neither PGUSER nor USER is set, saying how to write it', () => {
    const problem = postgresUrlProblem('postgres://127.0.0.1:5432/test', {});
    expect(problem).toContain('names no user');
    expect(problem).toContain('postgres://USER@127.0.0.1:5432/test');
  });

  it('takes the user from the URL, its user parameter, PGUSER or USER', () => {
    expect(postgresUrlProblem('postgres://postgres@127.0.0.1:5432/test', {})).toBeUndefined();
    expect(postgresUrlProblem('postgresql://127.0.0.1/test?user=postgres', {})).toBeUndefined();
    expect(postgresUrlProblem('postgres://127.0.0.1/test', { PGUSER: 'app' })).toBeUndefined();
    expect(postgresUrlProblem('postgres://127.0.0.1/test', { USER: 'app' })).toBeUndefined();
  });

  it('never repeats a password in its message', () => {
    const problem = postgresUrlProblem('postgres://:s3cret@db:5432/palisade', {});
    expect(problem).toContain('***');
    expect(problem).not.toContain('s3cret');
  });

  it('opens no pool for such a URL: the error is the message above', async () => {
    const saved = { PGUSER: process.env.PGUSER, USER: process.env.USER };
    delete process.env.PGUSER;
    delete process.env.USER;
    try {
      await expect(openStore('postgres://127.0.0.1:1/none')).rejects.toThrow(
        /PostgreSQL: "postgres:\/\/127\.0\.0\.1:1\/none" names no user/,
      );
    } finally {
      for (const [name, value] of Object.entries(saved)) {
        if (value !== undefined) process.env[name] = value;
      }
    }
  });
});
