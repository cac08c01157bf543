import { canonicalJson } from '../cache-key.js';
import type { ApiPayload } from '../payload.js';
import { runPool } from '../pool.js';
import type { Cost, Provider } from '../providers/provider.js';
import type { KeyedRequest } from '../request.js';
import { isValidCost } from './cost.js';
import { BadPriceError } from './errors.js';

/**
 * Prices a provider already answered, by the fields a price depends on. A project keeps one for
 * its provider's life, so the dev server's edit loop never asks the same price twice.
 */
export class PriceBook {
  private readonly prices = new Map<string, Cost>();

  get(payload: ApiPayload): Cost | undefined {
    return this.prices.get(priceId(payload));
  }

  /** Takes in the prices the provider knows without asking (see Provider.knownPrice). */
  fillKnown(requests: readonly KeyedRequest[], provider: Provider): void {
    if (!provider.knownPrice) return;
    for (const r of requests) {
      const id = priceId(r.payload);
      if (this.prices.has(id)) continue;
      const price = provider.knownPrice(r.payload);
      if (price) this.prices.set(id, price);
    }
  }

  /**
   * Asks the provider for every price not known yet, one request per distinct shape. One failed
   * estimate (a rejected key, a refused style) ends the run, so it cancels the others.
   */
  async learn(requests: readonly KeyedRequest[], provider: Provider, opts: { concurrency: number; signal?: AbortSignal; root?: string }): Promise<void> {
    const unknown = new Map<string, KeyedRequest>();
    for (const r of requests) {
      const id = priceId(r.payload);
      if (!this.prices.has(id) && !unknown.has(id)) unknown.set(id, r);
    }
    const estimating = new AbortController();
    const signal = opts.signal ? AbortSignal.any([opts.signal, estimating.signal]) : estimating.signal;
    await runPool([...unknown], opts.concurrency, async ([id, r]) => {
      try {
        const price = await provider.estimateCost(r.payload, { source: r.source, sprite: r.sprite, signal });
        // A negative or NaN price would slip past maxCost: it is an error, whatever the provider.
        if (!isValidCost(price)) throw new BadPriceError(r, price, opts.root ?? process.cwd());
        this.prices.set(id, price);
      } catch (err) {
        estimating.abort();
        throw err;
      }
    });
  }
}

/**
 * A price depends on what is drawn (model, style, size, count, options), not on the prompt or the
 * seed: requests that differ only there share one price.
 */
function priceId(payload: ApiPayload): string {
  const { prompt: _prompt, seed: _seed, check_cost: _check, input_image, input_palette, reference_images, extra_prompt: _extra, extra_input_image, ...drawn } = payload;
  return canonicalJson({
    ...drawn, input_image: input_image !== undefined, input_palette: input_palette !== undefined,
    reference_images: reference_images?.length ?? 0, extra_input_image: extra_input_image !== undefined,
  });
}
