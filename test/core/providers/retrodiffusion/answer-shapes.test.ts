import { describe, expect, it } from 'vitest';
import { createImage } from '../../../../plugin/core/image/bitmap.js';
import { encodePng } from '../../../../plugin/core/image/png.js';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { createdAtSeconds, readBalances, readCost, readGeneration } from '../../../../plugin/core/providers/retrodiffusion/answer.js';

/**
 * The answer shapes shared/retrodiffusion-v2.md lists: v2's InferenceRun sends `created_at` as an
 * ISO date-time (OpenAPI) where the examples and v1 send Unix seconds, and always sends the integer
 * `credit_cost` (0 for accounts billed in USD) beside `balance_cost`/`remaining_balance`.
 */
const payload: ApiPayload = { prompt: 'x', width: 4, height: 4, num_images: 1 };
const image = Buffer.from(encodePng(createImage(4, 4))).toString('base64');

describe('answers in either generation of the API', () => {
  it('reads created_at as Unix seconds, Unix milliseconds or an ISO date-time', () => {
    expect(createdAtSeconds(1_764_650_000)).toBe(1_764_650_000);
    expect(createdAtSeconds(1_764_650_000_123)).toBe(1_764_650_000);
    expect(createdAtSeconds('2025-12-02T04:33:20Z')).toBe(Date.UTC(2025, 11, 2, 4, 33, 20) / 1000);
    expect(readGeneration({ created_at: '2025-12-02T04:33:20.500Z', credit_cost: 1, base64_images: [image] }, payload).createdAt).toBe(1_764_650_000);
  });

  it('takes the USD balance_cost when v2 sends credit_cost 0, and credits when they are the cost', () => {
    expect(readCost({ credit_cost: 0, balance_cost: 0.025, remaining_balance: 99.5 })).toEqual({ cost: { amount: 0.025, unit: 'usd' }, remaining: { amount: 99.5, unit: 'usd' } });
    expect(readCost({ credit_cost: 3, balance_cost: 0, remaining_credits: 7 })).toEqual({ cost: { amount: 3, unit: 'credits' }, remaining: { amount: 7, unit: 'credits' } });
    expect(readCost({ credit_cost: 0 })).toEqual({ cost: { amount: 0, unit: 'credits' } });
  });

  it('reads the credits endpoint in its seed and newer shapes', () => {
    expect(readBalances({ credits: 12 })).toEqual([{ amount: 12, unit: 'credits' }]);
    expect(readBalances({ credits: 0, balance: 100.75 })).toEqual([{ amount: 0, unit: 'credits' }, { amount: 100.75, unit: 'usd' }]);
  });
});
