/** The small parsers behind command options: each accepts the documented forms, refuses others. */
import { describe, expect, it } from 'vitest';
import { parseSince } from '../src/commands/audit/index.js';
import { parseEnrollmentStatus } from '../src/commands/devices/list.js';
import { parseScope } from '../src/commands/settings/tenant-settings.js';
import { parseTimeout } from '../src/commands/sync/index.js';
import { parseExpiry } from '../src/commands/token/expiry.js';
import { UsageError } from '../src/config.js';

describe('option parsers', () => {
  it('token --expires: hours, days, weeks within 1 hour to 1 year', () => {
    expect([parseExpiry('12h'), parseExpiry('7d'), parseExpiry('2w'), parseExpiry('5')]).toEqual([
      12, 168, 336, 5,
    ]);
    expect(() => parseExpiry('0h')).toThrow(UsageError);
    expect(() => parseExpiry('400d')).toThrow(/outside 1 hour to 1 year/);
    expect(() => parseExpiry('soon')).toThrow(/not a duration/);
  });

  it('settings --scope: PLATFORM=off|all|tagged:TAG', () => {
    expect(parseScope('linux=all')).toEqual(['linux', { mode: 'all' }]);
    expect(parseScope('windows-client=off')).toEqual(['windows-client', { mode: 'off' }]);
    expect(parseScope('macos=tagged:MDE-Management')).toEqual([
      'macos',
      { mode: 'tagged', tag: 'MDE-Management' },
    ]);
    expect(() => parseScope('windows=all')).toThrow(/windows-client, windows-server/);
    expect(() => parseScope('linux=some')).toThrow(UsageError);
  });

  it('audit --since: relative to now, or an ISO time', () => {
    const now = new Date('2026-11-26T12:00:00.000Z');
    expect(parseSince('30m', now)).toBe('2026-11-26T11:30:00.000Z');
    expect(parseSince('24h', now)).toBe('2026-11-25T12:00:00.000Z');
    expect(parseSince('1w', now)).toBe('2026-11-19T12:00:00.000Z');
    expect(parseSince('2026-11-01', now)).toBe('2026-11-01T00:00:00.000Z');
    expect(() => parseSince('yesterday', now)).toThrow(UsageError);
  });

  it('sync --timeout: seconds or minutes', () => {
    expect([parseTimeout('90'), parseTimeout('90s'), parseTimeout('5m')]).toEqual([
      90_000, 90_000, 300_000,
    ]);
    expect(() => parseTimeout('1h')).toThrow(UsageError);
  });

  it('devices list --status: an enrollment status by code or name, in any case', () => {
    expect(parseEnrollmentStatus('1')).toBe('1');
    expect(parseEnrollmentStatus('managed')).toBe('1');
    expect(parseEnrollmentStatus('Managed-By-MDM')).toBe('54');
    expect(() => parseEnrollmentStatus('bogus')).toThrow(UsageError);
    expect(() => parseEnrollmentStatus('999')).toThrow(
      /--status: "999" is not an enrollment status/,
    );
  });
});
