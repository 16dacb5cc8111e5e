/**
 * Deterministic randomness for the simulated fleet. The fleet must look the same every time it is
 * generated from the same seed (so re-running the simulator re-enrolls the same machines), so
 * nothing here reads the clock or Math.random.
 */
import { createHash } from 'node:crypto';

/** A source of uniform numbers in [0, 1). */
export interface Random {
  next(): number;
}

/**
 * A seeded generator (sfc32) whose state comes from the SHA-256 of `seed`: independent streams for
 * different seeds, e.g. one per simulated machine (`fleetSeed:facts:42`).
 */
export function seededRandom(seed: string): Random {
  const digest = createHash('sha256').update(seed).digest();
  let a = digest.readUInt32LE(0);
  let b = digest.readUInt32LE(4);
  let c = digest.readUInt32LE(8);
  let d = digest.readUInt32LE(12);
  const next = (): number => {
    a >>>= 0;
    b >>>= 0;
    c >>>= 0;
    d >>>= 0;
    let t = (a + b) | 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) | 0;
    c = (c << 21) | (c >>> 11);
    d = (d + 1) | 0;
    t = (t + d) | 0;
    c = (c + t) | 0;
    return (t >>> 0) / 4_294_967_296;
  };
  // The first outputs of sfc32 are weakly mixed; discard a few as its authors recommend.
  for (let i = 0; i < 12; i += 1) next();
  return { next };
}

/**
 * A stable number in [0, 1) for a short text (FNV-1a with a final avalanche). Used on the hot path
 * to decide, per device, revision and setting, whether a setting fails or drifts: cheap enough for
 * thousands of agents, and the same answer on every run.
 */
export function unitHash(text: string): number {
  let hash = 0x811c9dc5;
  for (let i = 0; i < text.length; i += 1) {
    hash ^= text.charCodeAt(i);
    hash = Math.imul(hash, 0x01000193);
  }
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return (hash >>> 0) / 4_294_967_296;
}

export function pick<T>(random: Random, items: readonly T[]): T {
  const item = items[Math.floor(random.next() * items.length)];
  if (item === undefined) throw new Error('pick from an empty list');
  return item;
}

/** Picks by weight: `[[value, weight], …]`. */
export function pickWeighted<T>(random: Random, choices: readonly (readonly [T, number])[]): T {
  const total = choices.reduce((sum, [, weight]) => sum + weight, 0);
  let roll = random.next() * total;
  for (const [value, weight] of choices) {
    roll -= weight;
    if (roll < 0) return value;
  }
  const last = choices[choices.length - 1];
  if (last === undefined) throw new Error('pickWeighted from an empty list');
  return last[0];
}

export function chance(random: Random, probability: number): boolean {
  return random.next() < probability;
}

export function integerBetween(random: Random, min: number, max: number): number {
  return min + Math.floor(random.next() * (max - min + 1));
}
