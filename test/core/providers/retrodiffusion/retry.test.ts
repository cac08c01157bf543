import { describe, expect, it } from 'vitest';
import { ApiError } from '../../../../plugin/core/providers/retrodiffusion/api-error.js';
import { RequestLimiter } from '../../../../plugin/core/providers/retrodiffusion/limiter.js';
import { DEFAULT_RETRY, backoffDelay, parseRetryAfter, withRetry } from '../../../../plugin/core/providers/retrodiffusion/retry.js';

describe('Retry-After', () => {
  it('reads seconds and HTTP dates', () => {
    const now = Date.parse('2025-01-01T00:00:00Z');
    expect(parseRetryAfter('3', now)).toBe(3000);
    expect(parseRetryAfter('Wed, 01 Jan 2025 00:00:10 GMT', now)).toBe(10_000);
    expect(parseRetryAfter('Tue, 31 Dec 2024 23:59:00 GMT', now)).toBe(0);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
    expect(parseRetryAfter(undefined, now)).toBeUndefined();
  });
});

describe('backoff', () => {
  it('is full jitter below a doubling ceiling, capped', () => {
    const policy = { ...DEFAULT_RETRY, baseDelayMs: 100, maxDelayMs: 1000, random: () => 0.999 };
    expect([1, 2, 3, 4, 5].map((n) => backoffDelay(n, policy))).toEqual([99, 199, 399, 799, 999]);
    expect(backoffDelay(3, { ...policy, random: () => 0 })).toBe(0);
  });

  it('stops at the first failure that is not worth retrying', async () => {
    let calls = 0;
    const err = await withRetry(async () => {
      calls++;
      throw new ApiError('invalid-request', 'nope', { status: 422 });
    }, { ...DEFAULT_RETRY, baseDelayMs: 1 }).catch((e: unknown) => e);
    expect((err as ApiError).code).toBe('invalid-request');
    expect(calls).toBe(1);
  });

  it('waits what the server asked for, capped', async () => {
    const waits: number[] = [];
    let calls = 0;
    const { AttemptFailed } = await import('../../../../plugin/core/providers/retrodiffusion/retry.js');
    await withRetry(async () => {
      if (++calls < 3) throw new AttemptFailed({ error: new ApiError('rate-limited', '429', { retryable: true }), retryAfterMs: calls === 1 ? 5 : 60_000 });
      return 'ok';
    }, { ...DEFAULT_RETRY, maxRetryAfterMs: 7 }, { onRetry: (_n, delay) => waits.push(delay) });
    expect(waits).toEqual([5, 7]);
  });
});

describe('requests-per-minute limit', () => {
  it('holds the request that would exceed the window until a slot frees up', async () => {
    let now = 0;
    const slept: number[] = [];
    const limiter = new RequestLimiter({ concurrency: 10, requestsPerMinute: 2 }, {
      now: () => now,
      sleep: async (ms) => {
        slept.push(ms);
        now += ms;
      },
    });
    const started: number[] = [];
    for (let i = 0; i < 3; i++) {
      await limiter.run(async () => {
        started.push(now);
      });
      now += 1000;
    }
    expect(started).toEqual([0, 1000, 60_000]);
    expect(slept).toEqual([58_000]);
  });
});
