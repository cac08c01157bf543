import type { CacheEntry, CacheStore, CorruptEntry } from '../cache/store.js';
import { sameArt } from './same-art.js';
import { sha256Hex } from '../cache/hash.js';
import { canonicalJson } from '../cache-key.js';
import { RetroSpritesError } from '../errors.js';
import type { ApiPayload } from '../payload.js';
import type { Cost, Provider } from '../providers/provider.js';
import type { KeyedRequest } from '../request.js';
import { addCost, costAmount, sumCosts, type CostTotals } from './cost.js';
import { BudgetError, FrozenCacheError, type SpriteFailure } from './errors.js';
import { runPool } from '../pool.js';
import type { ProgressReporter, RunSummary } from './progress.js';

export interface RunOptions {
  store: CacheStore;
  provider: Provider;
  /** Project root, for relative paths in messages. */
  root: string;
  /** A miss is an error; nothing is requested. */
  frozen?: boolean;
  /** Stop before spending more than this (in the provider's unit: credits or USD). */
  maxCost?: number;
  /** Requests in flight at once (default 4). */
  concurrency?: number;
  /**
   * Ask the price before spending (default). `false` skips it when no budget needs it: the dev
   * server's edit loop, where a price round trip would double the wait for one sprite.
   */
  estimate?: boolean;
  /** Plan and estimate only. */
  dryRun?: boolean;
  /** Stops starting new requests; those in flight finish and are saved (they are paid for). */
  signal?: AbortSignal;
  reporter?: ProgressReporter;
  /** Keys to generate again even though they are cached (the old entry is replaced). */
  refresh?: ReadonlySet<string>;
}

export interface RunResult {
  requests: KeyedRequest[];
  /** Every entry this run can use, by key: hits and fresh results. */
  entries: Map<string, CacheEntry>;
  failures: SpriteFailure[];
  corrupt: CorruptEntry[];
  summary: RunSummary;
}

/** Prices a provider already answered, by the fields a price depends on; kept while the provider lives. */
const pricesOf = new WeakMap<Provider, Map<string, Cost>>();

function priceId(payload: ApiPayload): string {
  const { prompt: _prompt, seed: _seed, check_cost: _check, input_image, input_palette, ...drawn } = payload;
  return canonicalJson({ ...drawn, input_image: input_image !== undefined, input_palette: input_palette !== undefined });
}

/** Identical keys in flight in this process share one promise, whichever run started them. */
const inflight = new Map<string, Promise<Obtained>>();

interface Obtained {
  entry: CacheEntry;
  generated: boolean;
  cost?: Cost;
}

/** The payload as a cache record keeps it: referenced images reduced to their sha256. */
export function recordableRequest(payload: ApiPayload): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(payload)) {
    if (k === 'check_cost' || v === undefined) continue;
    out[k] = (k === 'input_image' || k === 'input_palette') && typeof v === 'string' ? `sha256:${sha256Hex(Buffer.from(v, 'base64'))}` : v;
  }
  return out;
}

/**
 * The one generation engine behind `retro-sprites generate` and the Vite plugin: look every key up
 * in the cache, estimate and check the budget, then generate the misses concurrently, writing each
 * result to the cache the moment it arrives so that a failure or an interrupt loses nothing paid for.
 */
export async function runGeneration(requests: KeyedRequest[], opts: RunOptions): Promise<RunResult> {
  const started = Date.now();
  const { store, provider, reporter } = opts;
  const byKey = new Map<string, KeyedRequest[]>();
  for (const r of requests) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }

  const entries = new Map<string, CacheEntry>();
  const corrupt: CorruptEntry[] = [];
  const misses: KeyedRequest[] = [];
  const found = await store.lookupMany([...byKey.keys()].filter((key) => !opts.refresh?.has(key)));
  for (const [key, group] of byKey) {
    const first = group[0]!;
    const lookup = found.get(key);
    if (!lookup) {
      misses.push(first);
      continue;
    }
    if (lookup.status === 'hit') {
      entries.set(key, lookup.entry);
      for (const r of group) reporter?.cached?.(r);
      continue;
    }
    if (lookup.status === 'corrupt') {
      corrupt.push(lookup.corrupt);
      reporter?.warn?.(
        `cache entry of ${group.map((r) => `${r.atlas}/${r.sprite}`).join(', ')} was damaged (${lookup.corrupt.reason}); ` +
          `set aside to ${lookup.corrupt.setAsideTo} and generating it again`,
      );
    }
    misses.push(first);
  }

  const cachedSprites = requests.filter((r) => entries.has(r.key)).length;
  if (misses.length > 0 && opts.frozen) {
    throw new FrozenCacheError(requests.filter((r) => !entries.has(r.key)), opts.root);
  }

  // A price depends on what is drawn (model, style, size, count, options), not on the prompt or
  // seed: requests that differ only there are priced once, and a price is asked once per process.
  let knownPrices = pricesOf.get(provider);
  if (!knownPrices) pricesOf.set(provider, (knownPrices = new Map()));
  const byPrice = new Map<string, KeyedRequest>();
  const mustEstimate = opts.estimate !== false || opts.maxCost !== undefined || opts.dryRun;
  for (const r of mustEstimate ? misses : []) {
    const id = priceId(r.payload);
    if (!knownPrices.has(id) && !byPrice.has(id)) byPrice.set(id, r);
  }
  // One failed estimate (a rejected key, a refused style) ends the run: cancel the other estimates.
  const estimating = new AbortController();
  const estimateSignal = opts.signal ? AbortSignal.any([opts.signal, estimating.signal]) : estimating.signal;
  await runPool([...byPrice], opts.concurrency ?? 4, async ([id, r]) => {
    try {
      knownPrices.set(id, await provider.estimateCost(r.payload, { source: r.source, sprite: r.sprite, signal: estimateSignal }));
    } catch (err) {
      estimating.abort();
      throw err;
    }
  });
  const estimates = new Map<string, Cost>();
  for (const r of misses) {
    const price = knownPrices.get(priceId(r.payload));
    if (price) estimates.set(r.key, price);
  }
  const estimate = estimates.size === misses.length ? sumCosts(estimates.values()) : undefined;
  const planSummary = { sprites: requests.length, cached: cachedSprites, toGenerate: misses.length, estimate };
  reporter?.plan?.(planSummary);

  const result = (failures: SpriteFailure[], generated: number, skipped: number, spent: CostTotals): RunResult => {
    const summary: RunSummary = {
      ...planSummary,
      generated,
      failed: failures.length,
      skipped,
      spent,
      durationMs: Date.now() - started,
    };
    reporter?.finish?.(summary);
    return { requests, entries, failures, corrupt, summary };
  };

  if (opts.dryRun || misses.length === 0) return result([], 0, opts.dryRun ? misses.length : 0, {});
  if (opts.maxCost !== undefined && estimate && costAmount(estimate) > opts.maxCost) {
    throw new BudgetError(estimate, opts.maxCost, misses.length);
  }

  const failures: SpriteFailure[] = [];
  let spent: CostTotals = {};
  let reserved = 0;
  let generated = 0;
  let skipped = 0;
  const fail = (key: string, error: Error) => {
    for (const r of byKey.get(key)!) {
      failures.push({ request: r, error });
      reporter?.failed?.(r, error);
    }
  };

  await runPool(
    misses,
    opts.concurrency ?? 4,
    async (r) => {
      const price = estimates.get(r.key)?.amount ?? 0;
      const t0 = Date.now();
      for (const other of byKey.get(r.key)!) reporter?.start?.(other);
      try {
        const got = await obtain(r, opts);
        entries.set(r.key, got.entry);
        if (got.generated) {
          generated++;
          if (got.cost) spent = addCost(spent, got.cost);
        }
        const cost = got.generated && got.cost ? addCost({}, got.cost) : {};
        for (const other of byKey.get(r.key)!) reporter?.done?.(other, { ms: Date.now() - t0, cost, entry: got.entry });
      } catch (err) {
        fail(r.key, toError(err));
      } finally {
        reserved -= price;
      }
    },
    (r) => {
      if (opts.signal?.aborted) {
        skipped++;
        fail(r.key, new RetroSpritesError('interrupted', 'not generated: the run was interrupted'));
        return false;
      }
      const price = estimates.get(r.key)?.amount ?? 0;
      if (opts.maxCost !== undefined && costAmount(spent) + reserved + price > opts.maxCost) {
        skipped++;
        fail(
          r.key,
          new RetroSpritesError('over-budget', `not generated: it would take the run past the budget of ${opts.maxCost} (maxCost)`),
        );
        return false;
      }
      reserved += price;
      return true;
    },
  );
  return result(failures, generated, skipped, spent);
}

function obtain(r: KeyedRequest, opts: RunOptions): Promise<Obtained> {
  const id = `${opts.store.dir}\0${r.key}`;
  let p = inflight.get(id);
  if (!p) {
    p = obtainLocked(r, opts).finally(() => inflight.delete(id));
    inflight.set(id, p);
  }
  return p;
}

/** Under the key's cross-process lock: look again (another process may have just written it), then pay. */
async function obtainLocked(r: KeyedRequest, opts: RunOptions): Promise<Obtained> {
  const { store, provider } = opts;
  const release = await store.locks.acquire(r.key);
  try {
    const refresh = opts.refresh?.has(r.key);
    if (!refresh) {
      const again = await store.lookup(r.key);
      if (again.status === 'hit') return { entry: again.entry, generated: false };
    }
    // No location here: a failure is reported with the sprite's place by the run itself, once.
    const result = await provider.generate(r.payload);
    if (refresh) {
      const old = await store.lookup(r.key);
      if (old.status === 'hit' && sameArt(old.entry, result)) return { entry: old.entry, generated: true, cost: result.cost };
      // The old art goes only once the new art is in hand: a failed refresh keeps what was paid for.
      await store.remove(r.key);
    }
    const entry = await store.put(r.key, result, {
      provider: { id: provider.id, version: provider.version },
      request: recordableRequest(r.payload),
      requestedBy: `${r.atlas}/${r.sprite}`,
    });
    return { entry, generated: true, cost: result.cost };
  } finally {
    await release();
  }
}

function toError(err: unknown): Error {
  return err instanceof Error ? err : new Error(String(err));
}
