import { describe, expect, it } from 'vitest';
import { parseDuration, parseSimArguments } from './sim-options.js';

const base = ['--server', 'http://127.0.0.1:8080', '--token', 'tok-123456', '--devices', '50'];

describe('parseSimArguments', () => {
  it('applies the documented defaults', () => {
    const parsed = parseSimArguments(base);
    expect(parsed).toMatchObject({
      ok: true,
      value: {
        kind: 'run',
        options: {
          devices: 50,
          failureRate: 0.05,
          driftRate: 0.02,
          concurrency: 200,
          durationMs: null,
          notify: true,
        },
      },
    });
  });

  it('names the option that is wrong', () => {
    const error = (args: string[]) => {
      const parsed = parseSimArguments(args);
      return parsed.ok ? '' : parsed.error;
    };
    expect(error(['--token', 't'])).toContain('--server');
    expect(error([...base, '--failure-rate', '2'])).toContain('--failure-rate');
    expect(error([...base, '--devices', '0'])).toContain('--devices');
    expect(error([...base, '--duration', 'soon'])).toContain('--duration');
    expect(error([...base, '--mix', 'beos=1'])).toContain('--mix');
    expect(error([...base, '--frobnicate'])).toMatch(/frobnicate/);
  });

  it('takes an admin sign-in instead of a token, from the option or the environment', () => {
    const args = ['--server', 'http://127.0.0.1:8080', '--devices', '5'];
    const missing = parseSimArguments(args);
    expect(missing.ok ? '' : missing.error).toContain('--token');
    expect(
      parseSimArguments([...args, '--demo-policies'], { PALISADE_ADMIN_PASSWORD: 'pw' }),
    ).toMatchObject({
      ok: true,
      value: {
        options: { token: undefined, admin: { user: 'admin', password: 'pw' }, demoPolicies: true },
      },
    });
    const demoWithToken = parseSimArguments([...base, '--demo-policies']);
    expect(demoWithToken.ok ? '' : demoWithToken.error).toContain('--admin-password');
  });

  it('reads durations', () => {
    expect(parseDuration('10m')).toEqual({ ok: true, value: 600_000 });
    expect(parseDuration('90')).toEqual({ ok: true, value: 90_000 });
    expect(parseDuration('250ms')).toEqual({ ok: true, value: 250 });
    expect(parseDuration('0s').ok).toBe(false);
  });
});
