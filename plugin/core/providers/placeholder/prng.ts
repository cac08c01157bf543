import { createHash } from 'node:crypto';

/**
 * A small seeded generator (sfc32) so the same request draws the same pixels on every machine and
 * Node version: only 32-bit integer maths, seeded from a sha256 of everything that should vary it.
 */
export interface Rng {
  /** Uniform unsigned 32-bit integer. */
  u32(): number;
  /** Integer in [0, n). */
  int(n: number): number;
  /** Integer in [lo, hi] inclusive. */
  range(lo: number, hi: number): number;
  /** True with probability num/den. */
  chance(num: number, den: number): boolean;
  pick<T>(items: readonly T[]): T;
  /** A child generator, independent of how much this one is used afterwards. */
  fork(label: string): Rng;
}

export function seedWords(...parts: (string | number | boolean | undefined | null)[]): number[] {
  const digest = createHash('sha256').update(parts.map((p) => String(p ?? '')).join('\u0000')).digest();
  return [digest.readUInt32LE(0), digest.readUInt32LE(4), digest.readUInt32LE(8), digest.readUInt32LE(12)];
}

export function createRng(...parts: (string | number | boolean | undefined | null)[]): Rng {
  return fromWords(seedWords(...parts), parts.map((p) => String(p ?? '')).join('\u0000'));
}

function fromWords(words: number[], label: string): Rng {
  let a = words[0]! >>> 0;
  let b = words[1]! >>> 0;
  let c = words[2]! >>> 0;
  let d = words[3]! >>> 0;
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  // Warm up: the first outputs of sfc32 correlate with the seed words.
  for (let i = 0; i < 12; i++) u32();
  const rng: Rng = {
    u32,
    int: (n) => (n <= 1 ? 0 : u32() % n),
    range: (lo, hi) => lo + rng.int(hi - lo + 1),
    chance: (num, den) => u32() % den < num,
    pick: (items) => items[rng.int(items.length)]!,
    fork: (child) => createRng(label, child, words.join(',')),
  };
  return rng;
}

/** A stable 32-bit hash of a string (FNV-1a), for cheap per-cell noise. */
export function hash32(...values: number[]): number {
  let h = 0x811c9dc5;
  for (const v of values) {
    let x = v | 0;
    for (let i = 0; i < 4; i++) {
      h ^= x & 0xff;
      h = Math.imul(h, 0x01000193) >>> 0;
      x >>>= 8;
    }
  }
  // Final avalanche so neighbouring cells do not look alike.
  h ^= h >>> 16;
  h = Math.imul(h, 0x85ebca6b) >>> 0;
  h ^= h >>> 13;
  h = Math.imul(h, 0xc2b2ae35) >>> 0;
  h ^= h >>> 16;
  return h >>> 0;
}
