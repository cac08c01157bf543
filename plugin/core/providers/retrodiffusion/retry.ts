import { ApiError } from './api-error.js';

export interface RetryPolicy {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** No new attempt starts later than this after the first one began. */
  maxRetryTimeMs: number;
  /** First backoff ceiling; doubles each attempt (full jitter picks a delay below it). */
  baseDelayMs: number;
  /** Ceiling of one backoff delay. */
  maxDelayMs: number;
  /** A server's Retry-After longer than this is cut down to it. */
  maxRetryAfterMs: number;
  /** In [0, 1); injectable so tests are deterministic. */
  random: () => number;
}

export const DEFAULT_RETRY: RetryPolicy = {
  maxAttempts: 5,
  maxRetryTimeMs: 5 * 60_000,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
  random: Math.random,
};

/**
 * `Retry-After` in seconds or as an HTTP date, in milliseconds from `now`; undefined when absent
 * or unreadable (the caller then backs off on its own).
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined) return undefined;
  const text = v.trim();
  if (/^\d+(\.\d+)?$/.test(text)) return Math.round(Number(text) * 1000);
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** Full jitter: a uniform delay below an exponentially growing ceiling (AWS's recommendation). */
export function backoffDelay(attempt: number, policy: RetryPolicy): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return Math.floor(policy.random() * ceiling);
}

/** What an attempt failed with, and the server's wish about when to come back. */
export interface AttemptFailure {
  error: ApiError;
  retryAfterMs?: number;
}

export class AttemptFailed extends Error {
  constructor(readonly failure: AttemptFailure) {
    super(failure.error.message);
  }
}

/**
 * Runs `attempt` until it succeeds, fails for good, or the policy's attempts or time run out.
 * An attempt signals a retryable failure by throwing `AttemptFailed` (or an `ApiError` with
 * `retryable`); the last failure is rethrown, its message telling how many attempts were made.
 */
export async function withRetry<T>(
  attempt: (n: number) => Promise<T>,
  policy: RetryPolicy,
  hooks: { signal?: AbortSignal; onRetry?: (n: number, delayMs: number, error: ApiError, why: string) => void; now?: () => number } = {},
): Promise<T> {
  const now = hooks.now ?? Date.now;
  const started = now();
  for (let n = 1; ; n++) {
    let failure: AttemptFailure;
    try {
      return await attempt(n);
    } catch (err) {
      if (err instanceof AttemptFailed) failure = err.failure;
      else if (err instanceof ApiError) failure = { error: err };
      else throw err;
    }
    const { error } = failure;
    if (!error.retryable) throw error;
    if (n >= policy.maxAttempts) throw givenUp(error, n);
    let delay: number;
    let why: string;
    if (failure.retryAfterMs !== undefined) {
      delay = Math.min(failure.retryAfterMs, policy.maxRetryAfterMs);
      why = `Retry-After ${Math.round(failure.retryAfterMs / 1000)}s`;
    } else {
      delay = backoffDelay(n, policy);
      why = 'backoff';
    }
    if (now() + delay - started > policy.maxRetryTimeMs) throw givenUp(error, n);
    hooks.onRetry?.(n, delay, error, why);
    await sleep(delay, hooks.signal);
  }
}

function givenUp(error: ApiError, attempts: number): ApiError {
  if (attempts <= 1) return error;
  return new ApiError(error.code, `${error.message} (gave up after ${attempts} attempts)`, {
    status: error.status,
    requestId: error.requestId,
    apiCode: error.apiCode,
    retryable: false,
  });
}

export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(cancelled(signal));
      return;
    }
    const onAbort = () => {
      clearTimeout(timer);
      reject(cancelled(signal!));
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

export function cancelled(signal: AbortSignal): ApiError {
  const reason = signal.reason as unknown;
  return new ApiError('aborted', `request cancelled: ${reason instanceof Error ? reason.message : 'aborted'}`, { cause: reason });
}
