import { describe, expect, it } from 'vitest';
import { DEFAULT_MIX, parseMix, platformsForFleet } from './fleet-mix.js';

describe('parseMix', () => {
  it('reads platform weights', () => {
    expect(parseMix('linux=40,windows-server=30,windows-client=20,macos=10')).toEqual({
      ok: true,
      value: DEFAULT_MIX,
    });
    expect(parseMix('macos=1')).toEqual({
      ok: true,
      value: { linux: 0, 'windows-server': 0, 'windows-client': 0, macos: 1 },
    });
  });

  it('names the option and the bad part', () => {
    expect(parseMix('bsd=10')).toMatchObject({
      ok: false,
      error: expect.stringContaining('"bsd" is not a platform'),
    });
    expect(parseMix('linux=-1')).toMatchObject({
      ok: false,
      error: expect.stringContaining('--mix'),
    });
    expect(parseMix('linux=x')).toMatchObject({ ok: false });
    expect(parseMix('linux=1,linux=2')).toMatchObject({
      ok: false,
      error: expect.stringContaining('twice'),
    });
    expect(parseMix('linux=0')).toMatchObject({
      ok: false,
      error: expect.stringContaining('above 0'),
    });
  });
});

describe('platformsForFleet', () => {
  it('gives the exact proportions and keeps every prefix balanced', () => {
    const platforms = platformsForFleet(DEFAULT_MIX, 1000);
    const count = (slice: readonly string[], platform: string) =>
      slice.filter((p) => p === platform).length;
    expect(count(platforms, 'linux')).toBe(400);
    expect(count(platforms, 'windows-server')).toBe(300);
    expect(count(platforms, 'windows-client')).toBe(200);
    expect(count(platforms, 'macos')).toBe(100);
    const prefix = platforms.slice(0, 37);
    expect(Math.abs(count(prefix, 'linux') - 37 * 0.4)).toBeLessThanOrEqual(1);
  });

  it('does not change existing machines when the fleet grows', () => {
    expect(platformsForFleet(DEFAULT_MIX, 500)).toEqual(
      platformsForFleet(DEFAULT_MIX, 800).slice(0, 500),
    );
  });
});
