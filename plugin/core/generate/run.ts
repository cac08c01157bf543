import type { CacheEntry, CacheStore, CorruptEntry } from '../cache/store.js';
import { RetroSpritesError } from '../errors.js';
import { runPool } from '../pool.js';
import type { Cost, Provider } from '../providers/provider.js';
import type { KeyedRequest } from '../request.js';
import { addCost, costAmount, sumCosts, type CostTotals } from './cost.js';
import { BudgetError, FrozenCacheError, type SpriteFailure } from './errors.js';
import { PriceBook } from './estimate.js';
import { UnsavedAnswerError } from './keep-paid.js';
import { obtain, type InFlight } from './obtain.js';
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
   * Tell the estimate (default): prices known at once are in the plan, the rest are asked once the
   * first answers are in. `false` skips it: the dev server's edit loop.
   */
  estimate?: boolean;
  /**
   * Ask every price before the first paid request, so the plan states the cost before anything is
   * spent (`retro-sprites variants`). A budget or a dry run implies it.
   */
  priceFirst?: boolean;
  /** Plan and estimate only. */
  dryRun?: boolean;
  /** Stops starting new requests; those in flight finish and are saved (they are paid for). */
  signal?: AbortSignal;
  reporter?: ProgressReporter;
  /** Keys to generate again even though they are cached (the old entry is replaced). */
  refresh?: ReadonlySet<string>;
  /** Entries verified earlier by the caller (a long-lived session): hits without reading them again. */
  known?: ReadonlyMap<string, CacheEntry>;
  /** Prices learnt earlier; default: a fresh book for this run. */
  prices?: PriceBook;
  /** Generations in flight, shared across the runs of one project; default: this run's own. */
  inflight?: InFlight;
}

/** What became of one key. */
export type KeyOutcome =
  | { status: 'hit'; entry: CacheEntry }
  | { status: 'generated'; entry: CacheEntry; cost?: Cost }
  | { status: 'failed'; error: Error }
  /** A dry run: it would be generated. */
  | { status: 'planned' };

export interface RunResult {
  requests: KeyedRequest[];
  /** Per key, what happened: the one account of a run that the session, the CLI and the dev page read. */
  outcomes: Map<string, KeyOutcome>;
  /** Every entry this run can use, by key: hits and fresh results. */
  entries: Map<string, CacheEntry>;
  failures: SpriteFailure[];
  corrupt: CorruptEntry[];
  summary: RunSummary;
}

/** A run whose cache lookups are done: what is held, what must be generated, and the rest of the run. */
export interface StartedRun {
  /** Cached entries, by key (verified, or `known`). */
  hits: Map<string, CacheEntry>;
  /** One request per key that is not cached, in manifest order. */
  misses: KeyedRequest[];
  /** Settles when every miss is generated, failed or skipped. */
  result: Promise<RunResult>;
}

/**
 * The one generation engine behind `retro-sprites generate` and the Vite plugin: look every key up
 * in the cache, estimate and check the budget, then generate the misses concurrently, writing each
 * result to the cache the moment it arrives so that a failure or an interrupt loses nothing paid for.
 */
export async function runGeneration(requests: KeyedRequest[], opts: RunOptions): Promise<RunResult> {
  return (await startGeneration(requests, opts)).result;
}

/**
 * `runGeneration` in two steps, for a caller that shows something while the misses are generated
 * (the dev server draws stand-ins for them): resolves once the lookups are done.
 */
export async function startGeneration(requests: KeyedRequest[], opts: RunOptions): Promise<StartedRun> {
  const started = Date.now();
  const { store, reporter } = opts;
  const byKey = new Map<string, KeyedRequest[]>();
  for (const r of requests) {
    const list = byKey.get(r.key);
    if (list) list.push(r);
    else byKey.set(r.key, [r]);
  }

  const outcomes = new Map<string, KeyOutcome>();
  const hits = new Map<string, CacheEntry>();
  const corrupt: CorruptEntry[] = [];
  const misses: KeyedRequest[] = [];
  const toRead = [...byKey.keys()].filter((key) => !opts.refresh?.has(key) && !opts.known?.has(key));
  const found = await store.lookupMany(toRead);
  for (const [key, group] of byKey) {
    const lookup = opts.refresh?.has(key) ? undefined : opts.known?.has(key) ? { status: 'hit' as const, entry: opts.known.get(key)! } : found.get(key);
    if (lookup?.status === 'hit') {
      outcomes.set(key, { status: 'hit', entry: lookup.entry });
      hits.set(key, lookup.entry);
      for (const r of group) reporter?.cached?.(r);
      continue;
    }
    if (lookup?.status === 'corrupt') {
      corrupt.push(lookup.corrupt);
      reporter?.warn?.(
        `cache entry of ${group.map((r) => `${r.atlas}/${r.sprite}`).join(', ')} was damaged (${lookup.corrupt.reason}); ` +
          `set aside to ${lookup.corrupt.setAsideTo} and generating it again`,
      );
    }
    misses.push(group[0]!);
  }
  if (misses.length > 0 && opts.frozen) {
    throw new FrozenCacheError(requests.filter((r) => !outcomes.has(r.key)), opts.root);
  }
  return { hits, misses, result: generateMisses({ requests, byKey, misses, outcomes, corrupt, started }, opts) };
}

interface Lookups {
  requests: KeyedRequest[];
  byKey: Map<string, KeyedRequest[]>;
  misses: KeyedRequest[];
  outcomes: Map<string, KeyOutcome>;
  corrupt: CorruptEntry[];
  started: number;
}

async function generateMisses(run: Lookups, opts: RunOptions): Promise<RunResult> {
  const { requests, byKey, misses, outcomes, corrupt, started } = run;
  const { provider, reporter } = opts;
  const concurrency = opts.concurrency ?? 4;
  const cachedSprites = requests.filter((r) => outcomes.has(r.key)).length;

  const prices = opts.prices ?? new PriceBook();
  // A budget or a dry run needs every price before the first paid request. Without either, the
  // estimate is for the user's information only and must not delay the art: the plan says the
  // prices already known, and the rest are learned once the first answers are in (which also tell
  // the provider how the account is billed, so a published price then costs no round trip).
  const priceFirst = opts.maxCost !== undefined || opts.dryRun === true || opts.priceFirst === true;
  if (priceFirst) await prices.learn(misses, provider, { concurrency, signal: opts.signal, root: opts.root });
  else if (opts.estimate !== false) prices.fillKnown(misses, provider);
  const estimates = new Map<string, Cost>();
  const knownEstimate = (): CostTotals | undefined => {
    for (const r of misses) {
      const price = prices.get(r.payload);
      if (price) estimates.set(r.key, price);
    }
    return estimates.size === misses.length ? sumCosts(estimates.values()) : undefined;
  };
  const planSummary = { sprites: requests.length, cached: cachedSprites, toGenerate: misses.length, estimate: knownEstimate() };
  reporter?.plan?.(planSummary);
  let firstAnswer: () => void = () => undefined;
  const answered = new Promise<void>((resolve) => (firstAnswer = resolve));
  const later =
    !priceFirst && opts.estimate !== false && !planSummary.estimate && misses.length > 0
      ? answered
          .then(() => prices.learn(misses, provider, { concurrency: 1, signal: opts.signal, root: opts.root }))
          .then(() => void (planSummary.estimate = knownEstimate()), () => undefined)
      : undefined;

  const failures: SpriteFailure[] = [];
  let spent: CostTotals = {};
  let reserved = 0;
  let generated = 0;
  let skipped = 0;
  const finish = async (): Promise<RunResult> => {
    firstAnswer();
    await later;
    const summary: RunSummary = { ...planSummary, generated, failed: failures.length, skipped, spent, durationMs: Date.now() - started };
    reporter?.finish?.(summary);
    const entries = new Map<string, CacheEntry>();
    for (const [key, o] of outcomes) if (o.status === 'hit' || o.status === 'generated') entries.set(key, o.entry);
    return { requests, outcomes, entries, failures, corrupt, summary };
  };

  if (opts.dryRun) {
    for (const r of misses) outcomes.set(r.key, { status: 'planned' });
    skipped = misses.length;
    return await finish();
  }
  if (misses.length === 0) return await finish();
  const estimate = planSummary.estimate;
  if (opts.maxCost !== undefined && estimate && costAmount(estimate) > opts.maxCost) {
    throw new BudgetError(estimate, opts.maxCost, misses.length);
  }

  const fail = (key: string, error: Error) => {
    outcomes.set(key, { status: 'failed', error });
    for (const r of byKey.get(key)!) {
      failures.push({ request: r, error });
      reporter?.failed?.(r, error);
    }
  };
  const inflight = opts.inflight ?? new Map();
  // The first answer the cache folder refused: from then on nothing new is paid for.
  let unwritable: UnsavedAnswerError | undefined;
  // A slot is free for the next request once an answer is in hand; its saving (tens of ms of writes
  // and fsyncs) goes on beside the next request instead of before it. Only while the folder has
  // proven it takes answers: until the first save succeeds, and from the first refusal on, the slot
  // waits for the save, so a folder that breaks mid-run costs at most one request per slot.
  let savedOnce = false;
  let refusedOnce = false;
  const saving = new Set<Promise<void>>();

  await runPool(
    misses,
    concurrency,
    async (r) => {
      const price = estimates.get(r.key)?.amount ?? 0;
      const t0 = Date.now();
      for (const other of byKey.get(r.key)!) reporter?.start?.(other);
      let answered!: () => void;
      const inHand = new Promise<void>((resolve) => (answered = resolve));
      // What was paid counts against the budget from the moment the answer is in hand.
      let accounted = false;
      const account = (cost: Cost | undefined) => {
        if (accounted) return;
        accounted = true;
        reserved -= price;
        if (cost) spent = addCost(spent, cost);
      };
      const whole: Promise<void> = obtain(r, {
        store: opts.store,
        provider,
        inflight,
        refresh: opts.refresh?.has(r.key) ?? false,
        ...(opts.signal ? { interrupt: opts.signal } : {}),
        onAnswer: (cost) => (account(cost), answered()),
        onSaveRetry: () => void (refusedOnce = true),
      })
        .finally(firstAnswer)
        .then(
          (got) => {
            if (got.generated) {
              generated++;
              savedOnce = true;
              account(got.cost);
              outcomes.set(r.key, { status: 'generated', entry: got.entry, cost: got.cost });
            } else {
              outcomes.set(r.key, { status: 'hit', entry: got.entry });
            }
            const cost = got.generated && got.cost ? addCost({}, got.cost) : {};
            for (const other of byKey.get(r.key)!) reporter?.done?.(other, { ms: Date.now() - t0, cost, entry: got.entry });
          },
          (err) => {
            if (err instanceof UnsavedAnswerError) unwritable ??= err;
            fail(r.key, err instanceof Error ? err : new RetroSpritesError('internal', String(err)));
          },
        )
        .finally(() => {
          account(undefined);
          saving.delete(whole);
        });
      saving.add(whole);
      await Promise.race([whole, inHand]);
      // Saves waiting on a slow disk are bounded too: besides the requests in flight, one per slot.
      if (!savedOnce || refusedOnce || saving.size > 2 * concurrency) await whole;
    },
    (r) => {
      if (opts.signal?.aborted) {
        skipped++;
        fail(r.key, new RetroSpritesError('aborted', 'not generated: the run was interrupted'));
        return false;
      }
      if (unwritable) {
        skipped++;
        const why = (unwritable.cause as Error | undefined)?.message ?? 'it refused an answer';
        fail(r.key, new RetroSpritesError('cache-unwritable', `not requested: the cache folder ${opts.store.dir} cannot be written (${why}), so nothing more is paid for`));
        return false;
      }
      const price = estimates.get(r.key)?.amount ?? 0;
      if (opts.maxCost !== undefined && costAmount(spent) + reserved + price > opts.maxCost) {
        skipped++;
        fail(r.key, new RetroSpritesError('over-budget', `not generated: it would take the run past the budget of ${opts.maxCost} (maxCost)`));
        return false;
      }
      reserved += price;
      return true;
    },
  );
  // The answers still being saved: a run ends once all it paid for is kept.
  await Promise.all(saving);
  return await finish();
}
