import { afterEach, describe, expect, it } from 'vitest';
import { ALL_STYLE_NAMES, findStyle } from '../../../../plugin/core/catalog.js';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { knownPrice } from '../../../../plugin/core/providers/retrodiffusion/price.js';
import { harness, rgbPngBase64, type Harness } from './helpers.js';

// The reference: the emulator's check_cost over real HTTP. Its price list (plugin/emulator/cost.ts)
// is the API contract's, written apart from the client: the catalog's table, USD, newer dialect.

let hs: Harness[] = [];
afterEach(async () => {
  for (const h of hs) await h.close();
  hs = [];
});
async function open(...args: Parameters<typeof harness>) {
  const h = await harness(...args);
  hs.push(h);
  return h;
}

/** A few requests each style accepts: its smallest and largest size, and a batch where it allows one. */
function requestsFor(name: string): ApiPayload[] {
  const s = findStyle(name)!;
  const base = { prompt: 'a sword', prompt_style: name, ...(s.requiresInputImage ? { input_image: rgbPngBase64() } : {}) };
  const sizes = s.fixedSize ? [s.fixedSize] : [{ width: s.minSize, height: s.minSize }, { width: s.maxSize, height: s.square ? s.maxSize : s.minSize }];
  return sizes.flatMap((size) => [1, Math.min(3, s.maxImages)].map((n) => ({ ...base, ...size, num_images: n })));
}

const priceCheckRequests = (h: Harness) => h.emu.received.filter((r) => r.json && (r.json as { check_cost?: boolean }).check_cost === true);

describe('prices the catalog publishes are computed here', () => {
  const withFormula = ALL_STYLE_NAMES.filter((n) => requestsFor(n).every((p) => knownPrice(p)));

  it('covers every newer family the catalog prices', () => {
    const families = new Set(withFormula.map((n) => findStyle(n)!.family));
    expect([...families].sort()).toEqual(['rd_advanced_animation', 'rd_animation', 'rd_fast', 'rd_plus', 'rd_pro', 'rd_tile']);
  });

  it('match what check_cost answers, for every style with a formula', async () => {
    const h = await open({ credits: 1e6, dialect: 'newer' }, { exactCost: true });
    for (const name of withFormula) {
      for (const p of requestsFor(name)) {
        expect(knownPrice(p), `${name} ${p.width}x${p.height} x${p.num_images}`).toEqual(await h.provider.estimateCost(p));
      }
    }
  });

  it('cost no round trip per price: one look at the account for the whole run, then none', async () => {
    const h = await open({ credits: 100, dialect: 'newer' });
    const prices = [];
    for (const name of ['rd_fast__low_res', 'rd_plus__default', 'rd_pro__default']) for (const p of requestsFor(name)) prices.push(await h.provider.estimateCost(p));
    expect(prices.every((c) => c.unit === 'usd')).toBe(true);
    expect(priceCheckRequests(h)).toHaveLength(0);
    expect(h.emu.received.map((r) => `${r.method} ${r.path}`)).toEqual(['GET /v1/inferences/credits']);
  });

  it('after a paid answer in USD, not even that', async () => {
    const h = await open({ credits: 100, dialect: 'newer' });
    const [p] = requestsFor('rd_fast__low_res');
    await h.provider.generate(p!);
    expect(await h.provider.estimateCost(p!)).toEqual(knownPrice(p!));
    expect(h.emu.received).toHaveLength(1);
  });
});

describe('prices known without any request', () => {
  it('once a paid answer said the account pays in USD (a run learns the rest after its first answer)', async () => {
    const h = await open({ credits: 100, dialect: 'newer' });
    const [p] = requestsFor('rd_plus__default');
    expect(h.provider.knownPrice!(p!)).toBeUndefined();
    await h.provider.generate(requestsFor('rd_fast__low_res')[0]!);
    expect(h.provider.knownPrice!(p!)).toEqual(knownPrice(p!));
    expect(h.emu.received).toHaveLength(1);
  });

  it('never for an account billed in credits, nor with exactCost', async () => {
    const seed = await open({ credits: 100 });
    const [p] = requestsFor('rd_fast__low_res');
    await seed.provider.generate(p!);
    expect(seed.provider.knownPrice!(p!)).toBeUndefined();
    const exact = await open({ credits: 100, dialect: 'newer' }, { exactCost: true });
    await exact.provider.generate(p!);
    expect(exact.provider.knownPrice!(p!)).toBeUndefined();
  });
});

describe('prices asked of the API', () => {
  it('with exactCost, every price', async () => {
    const h = await open({ credits: 100, dialect: 'newer' }, { exactCost: true });
    const [p] = requestsFor('rd_fast__low_res');
    await h.provider.estimateCost(p!);
    expect(priceCheckRequests(h)).toHaveLength(1);
  });

  it('for an account billed in credits: the seed publishes no formula', async () => {
    const h = await open({ credits: 100 });
    const [p] = requestsFor('rd_fast__low_res');
    expect((await h.provider.estimateCost(p!)).unit).toBe('credits');
    expect(priceCheckRequests(h)).toHaveLength(1);
  });

  it('for styles without a formula, or where the sources disagree', async () => {
    const h = await open({ credits: 100, dialect: 'newer' });
    const flux: ApiPayload = { model: 'RD_FLUX', prompt: 'a sword', width: 64, height: 64, num_images: 1 };
    const tile: ApiPayload = { prompt: 'grass', prompt_style: 'rd_tile__single_tile', width: 32, height: 32, num_images: 1 };
    expect([knownPrice(flux), knownPrice(tile)]).toEqual([undefined, undefined]);
    await h.provider.estimateCost(flux);
    await h.provider.estimateCost(tile);
    expect(priceCheckRequests(h)).toHaveLength(2);
  });
});
