import { cancelled, sleep } from './retry.js';

export interface LimiterSettings {
  concurrency: number;
  /** Requests started in any 60 s window; undefined for no limit. */
  requestsPerMinute?: number;
}

/**
 * A semaphore plus a sliding one-minute window of start times. Each HTTP attempt (retries too)
 * takes a slot; a slot is not held while backing off, so one struggling request does not starve
 * the others.
 */
export class RequestLimiter {
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly starts: number[] = [];
  constructor(
    public settings: LimiterSettings,
    private readonly clock: { now: () => number; sleep: (ms: number, signal?: AbortSignal) => Promise<void> } = { now: Date.now, sleep },
  ) {}

  get inFlight(): number {
    return this.active;
  }

  async run<T>(task: () => Promise<T>, signal?: AbortSignal): Promise<T> {
    await this.acquire(signal);
    try {
      await this.waitForRate(signal);
      return await task();
    } finally {
      this.release();
    }
  }

  private acquire(signal?: AbortSignal): Promise<void> {
    if (signal?.aborted) return Promise.reject(cancelled(signal));
    if (this.active < Math.max(1, this.settings.concurrency)) {
      this.active++;
      return Promise.resolve();
    }
    return new Promise((resolve, reject) => {
      const grant = () => {
        signal?.removeEventListener('abort', onAbort);
        this.active++;
        resolve();
      };
      const onAbort = () => {
        const i = this.waiting.indexOf(grant);
        if (i >= 0) this.waiting.splice(i, 1);
        reject(cancelled(signal!));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.waiting.push(grant);
    });
  }

  private release(): void {
    this.active--;
    while (this.waiting.length > 0 && this.active < Math.max(1, this.settings.concurrency)) {
      this.waiting.shift()!();
    }
  }

  private async waitForRate(signal?: AbortSignal): Promise<void> {
    const rpm = this.settings.requestsPerMinute;
    if (!rpm || rpm <= 0) return;
    for (;;) {
      const now = this.clock.now();
      while (this.starts.length > 0 && this.starts[0]! <= now - 60_000) this.starts.shift();
      if (this.starts.length < rpm) {
        this.starts.push(now);
        return;
      }
      await this.clock.sleep(this.starts[0]! + 60_000 - now, signal);
    }
  }
}

/**
 * One limiter per API base URL for the whole process: the Vite plugin, the CLI and every provider
 * instance they create share the same budget against the same server. The latest settings win, so
 * a reloaded config takes effect.
 */
const registry = new Map<string, RequestLimiter>();

export function limiterFor(baseUrl: string, settings: LimiterSettings): RequestLimiter {
  let limiter = registry.get(baseUrl);
  if (!limiter) {
    limiter = new RequestLimiter({ ...settings });
    registry.set(baseUrl, limiter);
  } else {
    limiter.settings = { ...settings };
  }
  return limiter;
}
