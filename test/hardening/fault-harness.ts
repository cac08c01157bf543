import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { expect } from 'vitest';
import { CacheStore } from '../../plugin/core/cache/store.js';
import type { Emulator, RecordedRequest } from '../../plugin/emulator/index.js';
import { keyedRequests } from '../helpers/project.js';

/** A key nobody would type by accident: grep for it anywhere it must not be. */
export const SECRET = 'rd-HARDENING-9f3c1e7b-do-not-leak';

/** Small sprites cost 1 credit each at the emulator's seed prices. */
export const TWO_SPRITES = 'atlas: items\ndefaults:\n  size: 16\nsprites:\n  gem:\n    prompt: a green gem\n    seed: 1\n  key:\n    prompt: a brass key\n    seed: 2\n';
export const PRICE = 1;

/** What one injected fault leads to, as a user sees it. */
export interface FaultCase {
  /** Emulator fault spec (without the count: it fires on the first paid request only). */
  spec: string;
  /** The README's words for it. */
  label: string;
  /** `retried`: asked again and succeeded; otherwise the message the user gets. */
  outcome: 'retried' | RegExp;
}

export const FAULT_CASES: FaultCase[] = [
  { spec: '429', label: '429 Too Many Requests, no Retry-After', outcome: 'retried' },
  { spec: '429:1', label: '429 with Retry-After: 1', outcome: 'retried' },
  { spec: '500', label: '500 Internal Server Error', outcome: 'retried' },
  { spec: '502', label: '502 Bad Gateway (proxy HTML page)', outcome: 'retried' },
  { spec: '503', label: '503 Service Unavailable (proxy HTML page)', outcome: 'retried' },
  { spec: '504', label: '504 Gateway Timeout (proxy HTML page)', outcome: 'retried' },
  { spec: 'reset', label: 'connection reset', outcome: 'retried' },
  { spec: 'timeout', label: 'no answer (timeout)', outcome: 'retried' },
  { spec: 'truncate', label: 'body cut off halfway', outcome: 'retried' },
  { spec: 'bad-json', label: 'malformed JSON', outcome: /malformed answer: not JSON/ },
  { spec: 'bad-base64', label: 'malformed base64 image', outcome: /malformed answer: image 1 of 1 is not valid base64/ },
  { spec: 'wrong-count', label: 'wrong number of images', outcome: /malformed answer: 2 images instead of 1/ },
  { spec: 'wrong-size', label: 'image of the wrong size', outcome: /malformed answer: image 1 of 1 is \d+x\d+, expected 16x16/ },
  { spec: '401', label: '401 key rejected', outcome: /RD_API_KEY was rejected \(HTTP 401/ },
  { spec: '402', label: '402 insufficient credits', outcome: /not enough credits: it costs 1 credit and the account has \d+ credits left/ },
  { spec: '422', label: '422 request refused', outcome: /the API refused the request \(HTTP 422: prompt: Field required/ },
];

function isPaid(r: RecordedRequest): boolean {
  const json = r.json as { check_cost?: unknown } | undefined;
  return r.method === 'POST' && r.path === '/v1/inferences' && !json?.check_cost;
}

/** Generation requests (the ones that cost money), not price checks or balance reads. */
export function paidPosts(emulator: Emulator): number {
  return emulator.received.filter(isPaid).length;
}

/**
 * Makes the fault fire on the next paid request only, never on a `check_cost` estimate (which goes
 * to the same path). The emulator records a request, then takes its faults, in one synchronous
 * step; arming the plan as the request is recorded decides that very request.
 */
export function faultNextPaidRequest(emulator: Emulator, spec: string): void {
  let armed = false;
  const received = emulator.received;
  const push = received.push.bind(received);
  received.push = (...items: RecordedRequest[]) => {
    const n = push(...items);
    const fire = !armed && items.some(isPaid);
    if (fire) armed = true;
    emulator.setFaults(fire ? `${spec}*1` : []);
    return n;
  };
}

/** Every entry in the cache verifies, none is half-written or set aside; answers the keys present. */
export async function expectWholeCache(cacheDir: string): Promise<string[]> {
  const store = new CacheStore(cacheDir);
  const keys = await store.keys();
  for (const key of keys) expect((await store.lookup(key)).status, `cache entry ${key}`).toBe('hit');
  const stray: string[] = [];
  for (const shard of await readdir(cacheDir).catch(() => [] as string[])) {
    if (shard === '.corrupt') stray.push(shard);
    if (!/^[0-9a-f]{2}$/.test(shard)) continue;
    for (const e of await readdir(join(cacheDir, shard))) if (e.startsWith('.tmp-')) stray.push(`${shard}/${e}`);
  }
  expect(stray, 'half-written or set-aside cache entries').toEqual([]);
  return keys;
}

/** The keys of the project's sprites under the real provider's identity, by sprite name. */
export async function spriteKeys(root: string): Promise<Record<string, string>> {
  const requests = await keyedRequests(root, { id: 'retrodiffusion', version: '1' });
  return Object.fromEntries(requests.map((r) => [r.sprite, r.key]));
}

/** No stack trace: no "    at fn (file:line)" frames in what the user reads. */
export function expectNoStack(text: string): void {
  expect(text).not.toMatch(/\n\s+at \S+ \(|\n\s+at (file|node):/);
}

/** The tests shorten the client's waits (not its logic): backoff in milliseconds, a 1.5 s timeout. */
export const TUNED = { timeoutMs: 1500, retry: { baseDelayMs: 20, maxDelayMs: 100 } };
