import type { ApiPayload } from '../../payload.js';
import type { Cost, GenerationResult } from '../provider.js';
import { ApiError } from './api-error.js';
import { checkImage, decodeBase64, expectedAnswer } from './answer-images.js';

function malformed(message: string): ApiError {
  return new ApiError('bad-response', `malformed answer: ${message}`);
}

export function parseJson(body: Buffer): Record<string, unknown> {
  let json: unknown;
  try {
    json = JSON.parse(body.toString('utf8'));
  } catch (err) {
    throw malformed(`not JSON (${(err as Error).message})`);
  }
  if (!json || typeof json !== 'object' || Array.isArray(json)) throw malformed('not a JSON object');
  return json as Record<string, unknown>;
}

function num(v: unknown): number | undefined {
  return typeof v === 'number' && Number.isFinite(v) ? v : undefined;
}

/**
 * The cost and what is left, from either dialect: the seed's `credit_cost`/`remaining_credits`
 * or the newer `balance_cost`/`remaining_balance` (USD).
 */
export function readCost(json: Record<string, unknown>): { cost: Cost; remaining?: Cost } {
  const usd = num(json.balance_cost);
  // v2 always sends the integer credit_cost, 0 for an account that pays in USD: then the USD is the cost.
  const credits = num(json.credit_cost) === 0 && usd !== undefined ? undefined : num(json.credit_cost);
  if (credits === undefined && usd === undefined) throw malformed('no credit_cost or balance_cost');
  const cost: Cost = credits !== undefined ? { amount: credits, unit: 'credits' } : { amount: usd!, unit: 'usd' };
  const leftCredits = num(json.remaining_credits);
  const leftUsd = num(json.remaining_balance);
  const remaining: Cost | undefined = cost.unit === 'credits'
    ? (leftCredits !== undefined ? { amount: leftCredits, unit: 'credits' } : undefined)
    : (leftUsd !== undefined ? { amount: leftUsd, unit: 'usd' } : undefined);
  return remaining ? { cost, remaining } : { cost };
}

/** A generation answer, checked in full: nothing partial is ever returned. */
export function readGeneration(json: Record<string, unknown>, payload: ApiPayload): GenerationResult {
  const { cost, remaining } = readCost(json);
  const images = json.base64_images;
  if (!Array.isArray(images)) throw malformed('no base64_images list');
  const expected = expectedAnswer(payload);
  if (images.length !== expected.count) {
    throw malformed(`${images.length} image${images.length === 1 ? '' : 's'} instead of ${expected.count}`);
  }
  const checked = images.map((b64, i) => {
    const what = `image ${i + 1} of ${images.length}`;
    return checkImage(decodeBase64(b64, what), expected, what);
  });
  const result: GenerationResult = {
    images: checked,
    cost,
    createdAt: createdAtSeconds(json.created_at),
  };
  if (remaining) result.remaining = remaining;
  if (typeof json.model === 'string') result.model = json.model;
  if (typeof json.type === 'string') result.type = json.type;
  return result;
}

/** `created_at` as Unix seconds: v1 and the v2 examples send a number, the v2 OpenAPI an ISO date-time. */
export function createdAtSeconds(v: unknown): number {
  const n = num(v);
  if (n !== undefined) return n > 1e12 ? Math.floor(n / 1000) : n;
  if (typeof v === 'string') {
    const t = Date.parse(v);
    if (!Number.isNaN(t)) return Math.floor(t / 1000);
  }
  return Math.floor(Date.now() / 1000);
}

/** The credits endpoint: seed `{credits}`, newer `{credits, balance}`. */
export function readBalances(json: Record<string, unknown>): Cost[] {
  const out: Cost[] = [];
  const credits = num(json.credits);
  const balance = num(json.balance);
  if (credits !== undefined) out.push({ amount: credits, unit: 'credits' });
  if (balance !== undefined) out.push({ amount: balance, unit: 'usd' });
  if (out.length === 0) throw malformed('no credits or balance in the credits answer');
  return out;
}

export function formatCost(c: Cost): string {
  if (c.unit === 'usd') return `$${c.amount.toFixed(c.amount < 1 ? 4 : 2).replace(/(\.\d\d)0+$/, '$1')}`;
  return `${c.amount} credit${c.amount === 1 ? '' : 's'}`;
}
