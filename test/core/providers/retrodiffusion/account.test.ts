import { afterEach, describe, expect, it } from 'vitest';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { createRetroDiffusionProvider } from '../../../../plugin/core/providers/retrodiffusion/index.js';
import { KEY, failure, harness, type Harness } from './helpers.js';

const sword: ApiPayload = { model: 'RD_FLUX', prompt: 'a sword', width: 256, height: 256, num_images: 4, upscale_output_factor: 1 };

let hs: Harness[] = [];
afterEach(async () => {
  for (const h of hs) {
    for (const line of [...h.clientLog, ...h.serverLog]) expect(line).not.toContain(KEY);
    await h.close();
  }
  hs = [];
});
async function open(...args: Parameters<typeof harness>) {
  const h = await harness(...args);
  hs.push(h);
  return h;
}

describe('credits and prices', () => {
  it('reads the seed\'s credits answer', async () => {
    const h = await open({ credits: 250 });
    expect(await h.provider.credits()).toEqual({ amount: 250, unit: 'credits' });
    const req = h.emu.received[0]!;
    expect([req.method, req.path, req.headers['x-rd-token']]).toEqual(['GET', '/v1/inferences/credits', KEY]);
  });

  it('reads the newer answer with a USD balance', async () => {
    const h = await open({ credits: 100.75, dialect: 'newer' });
    expect(await h.provider.credits()).toEqual({ amount: 100.75, unit: 'usd' });
    expect(await h.provider.balances()).toEqual([{ amount: 0, unit: 'credits' }, { amount: 100.75, unit: 'usd' }]);
  });

  it('check_cost asks the price without generating or charging', async () => {
    const h = await open({ credits: 100 });
    const cost = await h.provider.estimateCost(sword);
    expect(cost).toEqual({ amount: 4, unit: 'credits' });
    expect(h.emu.received[0]!.json).toEqual({ ...sword, check_cost: true });
    expect(h.emu.credits).toBe(100);
    const result = await h.provider.generate(sword);
    expect(result.cost).toEqual(cost);
    expect(result.remaining).toEqual({ amount: 96, unit: 'credits' });
  });

  it('prices and charges in USD with the newer dialect', async () => {
    const h = await open({ credits: 10, dialect: 'newer' });
    const cost = await h.provider.estimateCost(sword);
    expect(cost.unit).toBe('usd');
    const result = await h.provider.generate(sword);
    expect(result.cost).toEqual(cost);
    expect(result.remaining!.unit).toBe('usd');
    expect(result.remaining!.amount).toBeCloseTo(10 - cost.amount, 6);
  });

  it('running out of credits says the cost and what is left, and charges nothing', async () => {
    const h = await open({ credits: 3 });
    const err = await failure(h.provider.generate(sword, { sprite: 'sword' }));
    expect(err.code).toBe('not-enough-credits');
    expect(err.message).toContain('sprite "sword": not enough credits: it costs 4 credits and the account has 3 credits left');
    expect(err.message).not.toContain(KEY);
    expect(h.emu.credits).toBe(3);
  });

  it('running out of a USD balance (HTTP 402, the error shape) says the same in dollars', async () => {
    const h = await open({ credits: 0.01, dialect: 'newer' });
    const err = await failure(h.provider.generate(sword));
    expect(err.status).toBe(402);
    expect(err.message).toMatch(/not enough credits: it costs \$0\.\d+ and the account has 0 credits and \$0\.01 left/);
  });
});

describe('limits shared by the whole process', () => {
  it('never has more than `concurrency` requests in flight', async () => {
    const h = await open({ latencyMs: 60 }, { concurrency: 2 });
    await Promise.all(Array.from({ length: 6 }, () => h.provider.generate({ ...sword, width: 32, height: 32, num_images: 1 })));
    expect(h.emu.requestCount()).toBe(6);
    expect(h.emu.maxInFlight).toBe(2);
  });

  it('two providers for the same server share one budget', async () => {
    const h = await open({ latencyMs: 60 }, { concurrency: 1 });
    const other = createRetroDiffusionProvider({ apiKey: KEY, baseUrl: h.emu.url, concurrency: 1 });
    try {
      const small = { ...sword, width: 32, height: 32, num_images: 1 };
      await Promise.all([h.provider.generate(small), other.generate(small), h.provider.generate(small), other.generate(small)]);
    } finally {
      await other.close?.();
    }
    expect(h.emu.maxInFlight).toBe(1);
  });
});

describe('the key', () => {
  it('is required before any request is made', () => {
    expect(() => createRetroDiffusionProvider({ apiKey: '' })).toThrow(/needs an API key: set RD_API_KEY/);
  });
});
