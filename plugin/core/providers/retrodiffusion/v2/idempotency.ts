import { createHash } from 'node:crypto';

/**
 * The Idempotency-Key of one paid v2 submission. It is derived, not random, so that every retry of
 * the same intent — after a timeout, a reset, a crash, a kill -9, or from another process or machine
 * working on the same sprite — names the same task and the API charges once.
 *
 * - `contentKey` is the sprite's cache key (sha256 of the payload and provider): the same art asked
 *   for the same way.
 * - `intent` tells apart submissions that must *not* share a task: `first` (the normal generation),
 *   `after-failure:<task id>` (the previous task failed and was refunded), `refresh:<sha256 of the
 *   art being replaced>` (the user asked for new art). Two machines with the same intent still agree.
 *
 * The contract allows 1–256 visible ASCII characters (README, llms.txt); ours are 91, [0-9a-z.-].
 */
export const IDEMPOTENCY_PREFIX = 'rs1';

export function idempotencyKey(contentKey: string, intent = 'first'): string {
  const slug = intent === 'first' ? 'first' : createHash('sha256').update(intent).digest('hex').slice(0, 24);
  const key = `${IDEMPOTENCY_PREFIX}.${contentKey}.${slug}`;
  if (!isValidIdempotencyKey(key)) throw new TypeError(`idempotency key out of contract: ${key}`);
  return key;
}

/** 1–256 characters, each visible ASCII (0x21–0x7e): the contract's rule, also used by the emulator. */
export function isValidIdempotencyKey(value: unknown): value is string {
  return typeof value === 'string' && value.length >= 1 && value.length <= 256 && /^[\x21-\x7e]+$/.test(value);
}

/** The content key of a payload sent without one (a provider used on its own, outside a run). */
export function payloadContentKey(canonicalBody: string, provider: { id: string; version: string }): string {
  return createHash('sha256').update(`${provider.id}\0${provider.version}\0${canonicalBody}`).digest('hex');
}
