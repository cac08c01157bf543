import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { CacheStore, type CacheEntry } from '../cache/store.js';
import { RetroSpritesError } from '../errors.js';
import type { GenerationResult } from '../providers/provider.js';

type PutMeta = Parameters<CacheStore['put']>[2];

let rescueStamp: string | undefined;

/** Waits between the attempts to write an answer (a disk briefly full, a lock on Windows). */
const RETRY_DELAYS_MS = [50, 250];

/**
 * The cache folder could not take an answer that was paid for. The answer is not lost: it was
 * written to `rescuedTo` (a cache folder of its own), or, when even that failed, it is still in
 * `result`, in memory, for as long as the process runs.
 */
export class UnsavedAnswerError extends RetroSpritesError {
  readonly key: string;
  readonly rescuedTo?: string;
  readonly result: GenerationResult;
  constructor(key: string, cacheDir: string, cause: unknown, result: GenerationResult, rescuedTo?: string) {
    const why = (cause as Error)?.message ?? String(cause);
    super(
      'cache-unwritable',
      rescuedTo
        ? `paid for, but the cache folder cannot be written (${why}); the answer is saved in ${rescuedTo}. ` +
            `Once ${cacheDir} can be written, copy it in (cp -R "${rescuedTo}/." "${cacheDir}/") and run again: nothing is paid twice`
        : `paid for, but neither the cache folder nor a rescue folder could be written (${why}); free some disk space and run again`,
      { cause },
    );
    this.name = 'UnsavedAnswerError';
    this.key = key;
    this.rescuedTo = rescuedTo;
    this.result = result;
  }
}

/**
 * Stores an answer that was just paid for. A failed write is tried again; when the cache folder
 * still refuses it, the answer goes to a rescue folder beside the cache (or, failing that, in the
 * OS temp folder) with the cache's own layout, and the error says where. `onRetry` hears of the
 * first refusal at once, long before the retries are over.
 */
export async function keepPaid(store: CacheStore, key: string, result: GenerationResult, meta: PutMeta, onRetry?: () => void): Promise<CacheEntry> {
  let lastError: unknown;
  for (let attempt = 0; attempt <= RETRY_DELAYS_MS.length; attempt++) {
    try {
      return await store.put(key, result, meta);
    } catch (err) {
      lastError = err;
      if (attempt === 0) onRetry?.();
      if (attempt < RETRY_DELAYS_MS.length) await sleep(RETRY_DELAYS_MS[attempt]!);
    }
  }
  // One rescue folder per process: the answers of one run end up together.
  const stamp = (rescueStamp ??= `${new Date().toISOString().replace(/[:.]/g, '-')}-${process.pid}`);
  const places = [join(dirname(store.dir), `${basename(store.dir)}-rescue-${stamp}`), join(tmpdir(), `retro-sprites-rescue-${stamp}`)];
  for (const place of places) {
    try {
      await new CacheStore(place).put(key, result, meta);
      throw new UnsavedAnswerError(key, store.dir, lastError, result, place);
    } catch (err) {
      if (err instanceof UnsavedAnswerError) throw err;
    }
  }
  throw new UnsavedAnswerError(key, store.dir, lastError, result);
}
