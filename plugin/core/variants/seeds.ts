import { createHash } from 'node:crypto';
import { cacheKey } from '../cache-key.js';
import type { KeyedRequest } from '../request.js';

/** The API takes 32-bit seeds; the manifest allows 0..2^31-1 (manifest/schema.ts MAX_SEED). */
const SEED_RANGE = 2147483647;

/**
 * `count` seeds for variants of one sprite, derived from what the sprite asks (its payload without
 * the seed): the same sprite gets the same candidates on every machine, so asking again is free
 * (cached) and a teammate sees the same four.
 */
export function variantSeeds(request: KeyedRequest, count: number): number[] {
  const { seed: _seed, ...rest } = request.payload;
  const base = JSON.stringify(rest);
  const seeds: number[] = [];
  for (let i = 0; seeds.length < count; i++) {
    const seed = createHash('sha256').update(`${base}\u0000variant\u0000${i}`).digest().readUInt32LE(0) % SEED_RANGE;
    if (!seeds.includes(seed) && seed !== request.payload.seed) seeds.push(seed);
  }
  return seeds;
}

/** One variant: the sprite's own request with another seed, keyed like any request. */
export function variantRequest(request: KeyedRequest, seed: number, provider: { id: string; version: string }): KeyedRequest {
  const payload = { ...request.payload, seed };
  return { ...request, payload, key: cacheKey(payload, provider) };
}
