/**
 * The platform mix of a simulated fleet (`--mix linux=40,windows-server=30,…`) and which platform
 * each machine index gets.
 */
import { PLATFORMS, type Platform } from '@palisade/core';

/** Relative weight per platform; a platform left out gets no machines. */
export type FleetMix = Readonly<Record<Platform, number>>;

export const DEFAULT_MIX: FleetMix = {
  linux: 40,
  'windows-server': 30,
  'windows-client': 20,
  macos: 10,
};

export type ParseResult<T> = { ok: true; value: T } | { ok: false; error: string };

/** Parses `linux=40,windows-server=30,windows-client=20,macos=10`. */
export function parseMix(text: string): ParseResult<FleetMix> {
  const mix: Record<Platform, number> = {
    linux: 0,
    'windows-server': 0,
    'windows-client': 0,
    macos: 0,
  };
  const seen = new Set<string>();
  for (const part of text.split(',')) {
    const entry = part.trim();
    if (entry === '') continue;
    const [name, weightText, ...rest] = entry.split('=');
    const platform = (name ?? '').trim();
    if (!isPlatform(platform)) {
      return {
        ok: false,
        error: `--mix: "${platform}" is not a platform (${PLATFORMS.join(', ')})`,
      };
    }
    if (seen.has(platform)) return { ok: false, error: `--mix: ${platform} is given twice` };
    seen.add(platform);
    const weight = Number((weightText ?? '').trim());
    if (rest.length > 0 || weightText === undefined || !Number.isFinite(weight) || weight < 0) {
      return { ok: false, error: `--mix: "${entry}" must be platform=weight with a weight ≥ 0` };
    }
    mix[platform] = weight;
  }
  if (PLATFORMS.every((platform) => mix[platform] === 0)) {
    return { ok: false, error: '--mix: at least one platform needs a weight above 0' };
  }
  return { ok: true, value: mix };
}

function isPlatform(text: string): text is Platform {
  return (PLATFORMS as readonly string[]).includes(text);
}

/**
 * The platform of each machine index, by smooth weighted round-robin: every prefix of the fleet
 * has the mix's proportions (within one machine per platform), so growing `--devices` adds
 * machines without changing the platform, and therefore the identity, of the existing ones.
 */
export function platformsForFleet(mix: FleetMix, count: number): Platform[] {
  const platforms = PLATFORMS.filter((platform) => mix[platform] > 0);
  const total = platforms.reduce((sum, platform) => sum + mix[platform], 0);
  const current = new Map<Platform, number>(platforms.map((platform) => [platform, 0]));
  const result: Platform[] = [];
  for (let i = 0; i < count; i += 1) {
    let best: Platform | undefined;
    let bestValue = Number.NEGATIVE_INFINITY;
    for (const platform of platforms) {
      const value = (current.get(platform) ?? 0) + mix[platform];
      current.set(platform, value);
      if (value > bestValue) {
        best = platform;
        bestValue = value;
      }
    }
    if (best === undefined) throw new Error('empty mix');
    current.set(best, bestValue - total);
    result.push(best);
  }
  return result;
}
