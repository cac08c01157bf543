import { readFile, stat, writeFile } from 'node:fs/promises';
import { decodePng, encodePng } from '../../../plugin/core/image/png.js';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { CacheStore } from '../../../plugin/core/cache/store.js';
import { BudgetError, FrozenCacheError } from '../../../plugin/core/generate/errors.js';
import { PriceBook } from '../../../plugin/core/generate/estimate.js';
import { runGeneration } from '../../../plugin/core/generate/run.js';
import { countingProvider } from '../../helpers/counting-provider.js';
import { keyedRequests, manySprites, writeProject } from '../../helpers/project.js';
import { useTempDirs } from '../../helpers/tmp.js';

const tempDir = useTempDirs();

async function setup(manifest: string, providerOpts: Parameters<typeof countingProvider>[0] = {}) {
  const root = await tempDir();
  await writeProject(root, { 'manifests/a.yaml': manifest });
  const provider = countingProvider(providerOpts);
  const requests = await keyedRequests(root, provider);
  const store = new CacheStore(join(root, 'manifests/.retro-cache'));
  return { root, provider, requests, store };
}

describe('a generation run', () => {
  it('generates every miss once, then finds them all in the cache', async () => {
    const { root, provider, requests, store } = await setup(manySprites(5));
    const first = await runGeneration(requests, { store, provider, root });
    expect(first.summary).toMatchObject({ sprites: 5, cached: 0, toGenerate: 5, generated: 5, failed: 0, spent: { credits: 5 } });
    expect(provider.calls).toHaveLength(5);
    const second = await runGeneration(requests, { store, provider, root });
    expect(second.summary).toMatchObject({ sprites: 5, cached: 5, toGenerate: 0, generated: 0 });
    expect(provider.calls).toHaveLength(5);
    expect(second.entries.size).toBe(5);
  });

  it('pays once for two sprites that ask for exactly the same thing', async () => {
    const manifest = 'sprites:\n  a:\n    prompt: gem\n    size: 16\n  b:\n    prompt: gem\n    size: 16\n';
    const { root, provider, requests, store } = await setup(manifest);
    expect(requests[0]!.key).toBe(requests[1]!.key);
    const result = await runGeneration(requests, { store, provider, root });
    expect(provider.calls).toHaveLength(1);
    expect(result.summary.toGenerate).toBe(1);
  });

  it('asks the price once for requests that differ only in prompt or seed', async () => {
    const { root, provider, requests, store } = await setup(manySprites(5));
    const prices = new PriceBook();
    await runGeneration(requests, { store, provider, root, prices, dryRun: true });
    expect(provider.estimates).toHaveLength(1);
    // A project keeps its prices for the next run (the dev server's edit loop).
    await runGeneration(requests, { store, provider, root, prices });
    expect(provider.estimates).toHaveLength(1);
  });

  it('can skip the price check when no budget needs it, and never when one does', async () => {
    const { root, provider, requests, store } = await setup(manySprites(2));
    const plans: { estimate?: unknown }[] = [];
    await runGeneration(requests, { store, provider, root, estimate: false, reporter: { plan: (p) => plans.push(p) } });
    expect(provider.estimates).toHaveLength(0);
    expect(plans[0]!.estimate).toBeUndefined();

    const other = await setup(manySprites(2));
    await runGeneration(other.requests, { store: other.store, provider: other.provider, root: other.root, estimate: false, maxCost: 10 });
    expect(other.provider.estimates).toHaveLength(1);
  });

  it('says what it will cost before spending, and a dry run spends nothing', async () => {
    const { root, provider, requests, store } = await setup(manySprites(3), { cost: 2 });
    const plans: unknown[] = [];
    const result = await runGeneration(requests, { store, provider, root, dryRun: true, reporter: { plan: (p) => plans.push(p) } });
    expect(plans).toEqual([{ sprites: 3, cached: 0, toGenerate: 3, estimate: { credits: 6 } }]);
    expect(provider.calls).toHaveLength(0);
    expect(result.summary.skipped).toBe(3);
    expect(await store.keys()).toEqual([]);
  });

  it('stops before the first request when the estimate is over budget', async () => {
    const { root, provider, requests, store } = await setup(manySprites(4), { cost: 1 });
    const run = runGeneration(requests, { store, provider, root, maxCost: 3 });
    await expect(run).rejects.toThrow(BudgetError);
    await expect(run).rejects.toThrow(/estimated at 4 credits, over the budget of 3/);
    expect(provider.calls).toHaveLength(0);
  });

  it('stops starting requests when the running total would cross the budget, keeping what was bought', async () => {
    // The estimate (0.5 each) fits; the real price (1 each) does not.
    const { root, provider, requests, store } = await setup(manySprites(5), { cost: 1, estimate: 0.5 });
    const result = await runGeneration(requests, { store, provider, root, maxCost: 3, concurrency: 1 });
    expect(result.summary.generated).toBe(3);
    expect(result.summary.skipped).toBe(2);
    expect(provider.calls).toHaveLength(3);
    expect(result.failures.map((f) => f.error.message)).toEqual([
      expect.stringMatching(/past the budget of 3/),
      expect.stringMatching(/past the budget of 3/),
    ]);
    expect(await store.keys()).toHaveLength(3);
  });

  it('in frozen mode lists every missing sprite with its manifest location and requests nothing', async () => {
    const { root, provider, requests, store } = await setup(manySprites(2));
    const run = runGeneration(requests, { store, provider, root, frozen: true });
    await expect(run).rejects.toThrow(FrozenCacheError);
    await expect(run).rejects.toThrow(/manifests\/a\.yaml:\d+:\d+: many\/s0/);
    await expect(run).rejects.toThrow(/manifests\/a\.yaml:\d+:\d+: many\/s1/);
    await expect(run).rejects.toThrow(/retro-sprites generate/);
    expect(provider.calls).toHaveLength(0);
  });

  it('frozen mode passes when everything is cached', async () => {
    const { root, provider, requests, store } = await setup(manySprites(2));
    await runGeneration(requests, { store, provider, root });
    const again = await runGeneration(requests, { store, provider, root, frozen: true });
    expect(again.summary.cached).toBe(2);
  });

  it('keeps every other result when one sprite fails for good, and the rerun pays only for that one', async () => {
    const manifest = manySprites(4).replace('gem number 2', 'cursed gem');
    const { root, provider, requests, store } = await setup(manifest, { failFor: /cursed/ });
    const result = await runGeneration(requests, { store, provider, root });
    expect(result.failures).toHaveLength(1);
    expect(result.failures[0]!.request.sprite).toBe('s2');
    expect(result.failures[0]!.error.message).toMatch(/refused "cursed gem"/);
    expect(await store.keys()).toHaveLength(3);

    const fixed = countingProvider();
    const rerun = await runGeneration(requests, { store, provider: fixed, root });
    expect(fixed.calls.map((c) => c.prompt)).toEqual(['cursed gem']);
    expect(rerun.summary).toMatchObject({ cached: 3, generated: 1, failed: 0 });
  });

  it('detects a flipped byte in a cached file, warns naming the sprite, and generates it again', async () => {
    const { root, provider, requests, store } = await setup(manySprites(2));
    await runGeneration(requests, { store, provider, root });
    const victim = requests.find((r) => r.sprite === 's1')!;
    const file = store.folder.entryFile(victim.key, '0.png');
    const bytes = await readFile(file);
    bytes[40] = bytes[40]! ^ 0x01;
    await writeFile(file, bytes);

    const warnings: string[] = [];
    const result = await runGeneration(requests, { store, provider, root, reporter: { warn: (m) => warnings.push(m) } });
    expect(warnings).toEqual([expect.stringMatching(/many\/s1 was damaged \(0\.png does not match its sha256/)]);
    expect(result.summary).toMatchObject({ cached: 1, generated: 1 });
    expect(result.corrupt).toHaveLength(1);
    expect((await store.lookup(victim.key)).status).toBe('hit');
  });

  it('stops starting new requests when interrupted; what was in flight finishes and is saved', async () => {
    const { root, provider, requests, store } = await setup(manySprites(6), { delayMs: 20 });
    const controller = new AbortController();
    let started = 0;
    const result = await runGeneration(requests, {
      store,
      provider,
      root,
      concurrency: 1,
      signal: controller.signal,
      // Interrupted while the third request is in flight.
      reporter: { start: () => ++started === 3 && controller.abort() },
    });
    expect(result.summary.generated).toBe(3);
    expect(result.summary.skipped).toBe(3);
    expect(await store.keys()).toHaveLength(3);
  });

  it('starts the next request once an answer is in hand, while that answer is being saved', async () => {
    const { root, provider, requests, store } = await setup(manySprites(4), { delayMs: 20 });
    // A disk that takes 60 ms to keep each answer (three times the API's 20 ms).
    const put = store.put.bind(store);
    store.put = async (...args) => (await new Promise((r) => setTimeout(r, 60)), put(...args));
    const events: string[] = [];
    const result = await runGeneration(requests, {
      store,
      provider,
      root,
      concurrency: 1,
      reporter: { start: (r) => events.push(`start ${r.sprite}`), done: (r) => events.push(`saved ${r.sprite}`) },
    });
    expect(result.summary.generated).toBe(4);
    expect(await store.keys()).toHaveLength(4);
    // The first answer is saved before anything else starts (the folder must prove it takes answers);
    // from then on each request starts while the answer before it is still being written.
    expect(events.slice(0, 3)).toEqual(['start s0', 'saved s0', 'start s1']);
    expect(events.indexOf('start s2')).toBeLessThan(events.indexOf('saved s1'));
    expect(events.indexOf('start s3')).toBeLessThan(events.indexOf('saved s2'));
  });

  it('regenerates a key on request and replaces the old art only once the new art is in hand', async () => {
    const { root, provider, requests, store } = await setup(manySprites(1));
    await runGeneration(requests, { store, provider, root });
    const key = requests[0]!.key;
    const result = await runGeneration(requests, { store, provider, root, refresh: new Set([key]) });
    expect(result.summary.generated).toBe(1);
    expect(provider.calls).toHaveLength(2);

    const failing = countingProvider({ failFor: /./ });
    const failed = await runGeneration(requests, { store, provider: failing, root, refresh: new Set([key]) });
    expect(failed.failures).toHaveLength(1);
    expect((await store.lookup(key)).status).toBe('hit');
  });

  it('a regenerate that answers the same bytes leaves the committed entry untouched (no new date in git)', async () => {
    const { root, requests, store } = await setup(manySprites(1));
    // Like the real API, every answer carries the time it was made.
    const base = countingProvider();
    let clock = 1_700_000_000;
    const provider = { ...base, generate: async (p: Parameters<typeof base.generate>[0]) => ({ ...(await base.generate(p)), createdAt: clock++ }) };
    await runGeneration(requests, { store, provider, root });
    const key = requests[0]!.key;
    const record = store.recordFile(key);
    const before = await readFile(record, 'utf8');
    const mtime = (await stat(record)).mtimeMs;
    const again = await runGeneration(requests, { store, provider, root, refresh: new Set([key]) });
    expect(again.summary.generated).toBe(1);
    expect(base.calls).toHaveLength(2);
    expect(await readFile(record, 'utf8')).toBe(before);
    expect((await stat(record)).mtimeMs).toBe(mtime);

    // Different bytes are new art: the entry is replaced, with its new date.
    const other = { ...provider, generate: async (p: Parameters<typeof base.generate>[0]) => {
      const r = await provider.generate(p);
      return { ...r, images: r.images.map((img) => ({ ...img, bytes: flipLastPixelByte(img.bytes) })) };
    } };
    await runGeneration(requests, { store, provider: other, root, refresh: new Set([key]) });
    expect(await readFile(record, 'utf8')).not.toBe(before);
  });
});

/** The same picture with one pixel's alpha off by one: other art, other bytes. */
function flipLastPixelByte(bytes: Uint8Array): Uint8Array {
  const png = decodePng(bytes);
  png.data[png.data.length - 1]! ^= 1;
  return encodePng(png);
}

describe('a failed estimate', () => {
  it('with a budget, ends the run with that error, after the other estimates have settled, and nothing is generated', async () => {
    const root = await tempDir();
    // Six sizes: six prices to ask (requests that differ only in prompt share one price).
    const sizes = [16, 20, 24, 28, 32, 36];
    await writeProject(root, { 'manifests/a.yaml': `sprites:\n${sizes.map((n, i) => `  s${i}:\n    prompt: gem number ${i}\n    size: ${n}\n`).join('')}` });
    const provider = countingProvider();
    const requests = await keyedRequests(root, provider);
    let inFlight = 0;
    let settled = 0;
    provider.estimateCost = async (payload, ctx) => {
      inFlight++;
      try {
        await new Promise((r) => setTimeout(r, 10));
        if (payload.prompt === 'gem number 1') throw new Error('the API refused this style');
        if (ctx?.signal?.aborted) throw new Error('cancelled');
        return { amount: 1, unit: 'credits' };
      } finally {
        inFlight--;
        settled++;
      }
    };
    const store = new CacheStore(join(root, 'manifests/.retro-cache'));
    await expect(runGeneration(requests, { store, provider, root, concurrency: 2, maxCost: 100 })).rejects.toThrow(/refused this style/);
    // Nothing runs on behind the caller's back, and no estimate started after the failure.
    expect(inFlight).toBe(0);
    expect(settled).toBeLessThan(6);
    expect(provider.calls).toHaveLength(0);
  });
});

describe('the estimate without a budget', () => {
  it('never delays the first paid request: prices are asked once the first answer is in, and the summary has them', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/a.yaml': `sprites:\n${[16, 24, 32].map((n, i) => `  s${i}:\n    prompt: gem number ${i}\n    size: ${n}\n`).join('')}` });
    const provider = countingProvider({ delayMs: 20 });
    const requests = await keyedRequests(root, provider);
    const paidBeforeEachEstimate: number[] = [];
    const ask = provider.estimateCost.bind(provider);
    provider.estimateCost = async (payload, ctx) => {
      paidBeforeEachEstimate.push(provider.calls.length);
      return ask(payload, ctx);
    };
    const store = new CacheStore(join(root, 'manifests/.retro-cache'));
    const result = await runGeneration(requests, { store, provider, root, concurrency: 2 });
    expect(result.summary.generated).toBe(3);
    expect(paidBeforeEachEstimate).toHaveLength(3);
    expect(Math.min(...paidBeforeEachEstimate)).toBeGreaterThanOrEqual(1);
    expect(result.summary.estimate).toEqual({ credits: 3 });
  });

  it('a price the provider knows without asking is in the plan from the start', async () => {
    const root = await tempDir();
    await writeProject(root, { 'manifests/a.yaml': 'sprites:\n  gem:\n    prompt: a gem\n    size: 16\n' });
    const provider = Object.assign(countingProvider(), { knownPrice: () => ({ amount: 2, unit: 'credits' as const }) });
    const requests = await keyedRequests(root, provider);
    let planned: unknown;
    const store = new CacheStore(join(root, 'manifests/.retro-cache'));
    await runGeneration(requests, { store, provider, root, reporter: { plan: (s) => (planned = { ...s.estimate }) } });
    expect(planned).toEqual({ credits: 2 });
    expect(provider.estimates).toHaveLength(0);
  });
});
