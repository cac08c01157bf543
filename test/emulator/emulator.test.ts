import { afterEach, describe, expect, it } from 'vitest';
import { decodePng } from '../../plugin/core/image/png.js';
import { parseFaultSpec, priceOf, startEmulator, type Emulator, type EmulatorOptions } from '../../plugin/emulator/index.js';

const TOKEN = 'tok-EMULATOR-secret-77';
let emu: Emulator | undefined;
let log: string[] = [];
afterEach(async () => {
  for (const line of log) expect(line).not.toContain(TOKEN);
  await emu?.close();
  emu = undefined;
  log = [];
});

async function start(opts: EmulatorOptions = {}) {
  emu = await startEmulator({ token: TOKEN, log: (l) => log.push(l), ...opts });
  return emu;
}

async function post(body: unknown, token: string | null = TOKEN) {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (token) headers['X-RD-Token'] = token;
  const res = await fetch(`${emu!.url}/v1/inferences`, { method: 'POST', headers, body: typeof body === 'string' ? body : JSON.stringify(body) });
  const text = await res.text();
  let json: Record<string, any> = {};
  try {
    json = JSON.parse(text) as Record<string, any>;
  } catch { /* a proxy-style HTML page */ }
  return { status: res.status, headers: res.headers, json, text };
}

const corgi = { model: 'RD_FLUX', width: 256, height: 256, prompt: 'A really cool corgi', num_images: 1 };

describe('the emulator speaks the seed contract', () => {
  it('answers the seed example in the seed\'s shape, with a real image at the regular (2x) size', async () => {
    await start();
    const { status, json } = await post(corgi);
    expect(status).toBe(200);
    expect(Object.keys(json).sort()).toEqual(['base64_images', 'created_at', 'credit_cost', 'model', 'remaining_credits', 'type']);
    expect(json).toMatchObject({ credit_cost: 1, model: 'RDModel.RD_FLUX', type: 'txt2img', remaining_credits: 999 });
    const png = decodePng(Buffer.from(json.base64_images[0], 'base64'));
    expect([png.width, png.height]).toEqual([512, 512]);
    expect(emu!.requestCount('/v1/inferences')).toBe(1);
    expect(emu!.received[0]!.body).toBe(JSON.stringify(corgi));
    expect(log).toEqual([expect.stringMatching(/^emulator: POST \/v1\/inferences no-style 256x256 -> 200 \d+ms$/)]);
  });

  it('answers native size with upscale_output_factor: 1', async () => {
    await start();
    const { json } = await post({ ...corgi, width: 64, height: 32, num_images: 3, upscale_output_factor: 1 });
    expect(json.base64_images).toHaveLength(3);
    for (const b64 of json.base64_images) {
      const png = decodePng(Buffer.from(b64, 'base64'));
      expect([png.width, png.height]).toEqual([64, 32]);
    }
  });

  it('answers an explicit upscale_output_factor once, not on top of its regular size', async () => {
    await start();
    const { json } = await post({ ...corgi, width: 32, height: 16, upscale_output_factor: 4 });
    const png = decodePng(Buffer.from(json.base64_images[0], 'base64'));
    expect([png.width, png.height]).toEqual([128, 64]);
  });

  it('answers the walking style with one 48x48 GIF whatever size was asked, or a PNG sheet', async () => {
    await start();
    const walk = { prompt: 'corgi', width: 64, height: 64, model: 'RD_FLUX', num_images: 1, seed: 123, prompt_style: 'animation_four_angle_walking' };
    const gif = await post(walk);
    const bytes = Buffer.from(gif.json.base64_images[0], 'base64');
    expect(bytes.subarray(0, 6).toString('latin1')).toBe('GIF89a');
    expect([bytes.readUInt16LE(6), bytes.readUInt16LE(8)]).toEqual([48, 48]);
    const sheet = await post({ ...walk, return_spritesheet: true, upscale_output_factor: 1 });
    const png = decodePng(Buffer.from(sheet.json.base64_images[0], 'base64'));
    expect([png.width, png.height]).toEqual([192, 192]);
  });

  it('refuses a missing or wrong token with 401, and charges nothing', async () => {
    await start();
    expect((await post(corgi, null)).status).toBe(401);
    const wrong = await post(corgi, 'nope');
    expect(wrong.status).toBe(401);
    expect(wrong.json.detail.code).toBe('invalid_token');
    expect(emu!.credits).toBe(1000);
  });

  it('validates payloads as the API would, in its error shapes', async () => {
    await start();
    const unknown = await post({ ...corgi, prompt_style: 'pixel_art' });
    expect(unknown.status).toBe(400);
    expect(unknown.json.detail).toMatchObject({ code: 'invalid_style' });
    const big = await post({ ...corgi, width: 1024 });
    expect(big.status).toBe(400);
    expect(big.json.detail.message).toMatch(/width must be between 16 and 512/);
    const typed = await post({ ...corgi, width: '256' });
    expect(typed.status).toBe(422);
    expect(typed.json.detail[0]).toMatchObject({ loc: ['body', 'width'], msg: 'Input should be a valid integer' });
    const twoWalks = await post({ ...corgi, width: 48, height: 48, num_images: 2, prompt_style: 'animation_four_angle_walking' });
    expect(twoWalks.status).toBe(400);
    expect(twoWalks.json.detail.message).toMatch(/one image at a time/);
    const classic = await post({ ...corgi, model: 'RD_CLASSIC' });
    expect(classic.json.detail.message).toMatch(/use RD_FLUX/);
    const prefixed = await post({ ...corgi, input_image: 'data:image/png;base64,AAAA' });
    expect(prefixed.json.detail.message).toMatch(/without the data:image\/png;base64, prefix/);
    const notJson = await post('{"prompt": ');
    expect(notJson.status).toBe(422);
    expect(emu!.credits).toBe(1000);
  });

  it('keeps a balance by its documented price list, answers check_cost for free, refuses when short', async () => {
    await start({ credits: 10 });
    const job = { ...corgi, width: 512, height: 512, num_images: 2 };
    const price = await post({ ...job, check_cost: true });
    expect(price.json).toMatchObject({ credit_cost: 8, base64_images: [], remaining_credits: 10 });
    expect((await post(job)).json.remaining_credits).toBe(2);
    const short = await post(job);
    expect(short.status).toBe(400);
    expect(short.json.detail).toEqual({ code: 'not_enough_credits', message: 'Not enough credits: this request costs 8 credits and you have 2' });
    const res = await fetch(`${emu!.url}/v1/inferences/credits`, { headers: { 'X-RD-Token': TOKEN } });
    expect(await res.json()).toEqual({ credits: 2 });
  });

  it('speaks the newer dialect: USD balance, balance_cost, a 402 in the error shape', async () => {
    await start({ dialect: 'newer', credits: 0.05 });
    const ok = await post({ ...corgi, upscale_output_factor: 1 });
    expect(Object.keys(ok.json).sort()).toEqual(['balance_cost', 'base64_images', 'created_at', 'model', 'remaining_balance']);
    expect(ok.json.balance_cost).toBe(priceOf({ payload: corgi, width: 256, height: 256, count: 1, sheet: false }, 'newer'));
    const short = await post({ ...corgi, num_images: 4 });
    expect(short.status).toBe(402);
    expect(short.json.error).toMatchObject({ code: 'not_enough_balance' });
    const res = await fetch(`${emu!.url}/v1/inferences/credits`, { headers: { 'X-RD-Token': TOKEN } });
    expect(await res.json()).toEqual({ credits: 0, balance: 0.022411 });
  });
});

describe('latency', () => {
  it('answers with the same art whether it drew during the wait or not, and charges once', async () => {
    await start();
    const direct = (await post({ ...corgi, seed: 11 })).json.base64_images;
    await emu!.close();
    await start({ latencyMs: 80 });
    const waited = await post({ ...corgi, seed: 11 });
    expect(waited.json.base64_images).toEqual(direct);
    expect(waited.json.remaining_credits).toBe(999);
    // A payload the API refuses is refused after the wait as before, drawing nothing ahead.
    expect((await post({ ...corgi, width: 0 })).status).toBe(400);
  });
});

describe('fault injection', () => {
  it('reads the documented spec syntax', () => {
    expect(parseFaultSpec('429:2*3, 500@0.25, latency:150, 429:date5, reset')).toEqual([
      { kind: '429', retryAfter: 2, times: 3 },
      { kind: '500', rate: 0.25 },
      { kind: 'latency', ms: 150 },
      { kind: '429', retryAfter: { date: 5 } },
      { kind: 'reset' },
    ]);
    expect(() => parseFaultSpec('418')).toThrow(/unknown fault "418"/);
    expect(() => parseFaultSpec('500@2')).toThrow(/rate must be between 0 and 1/);
    expect(() => parseFaultSpec('500:abc')).toThrow(/does not apply/);
  });

  it('fires the next N requests, then answers normally', async () => {
    await start({ faults: '429:7*2' });
    const first = await post(corgi);
    expect(first.status).toBe(429);
    expect(first.headers.get('retry-after')).toBe('7');
    expect((await post(corgi)).status).toBe(429);
    expect((await post(corgi)).status).toBe(200);
    expect(log[0]).toMatch(/-> 429 \d+ms \[fault 429\]$/);
  });

  it('fires by rate, the same requests for the same seed', async () => {
    const pattern = async (seed: number) => {
      await start({ faults: '503@0.5', seed });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i++) statuses.push((await post({ ...corgi, width: 16, height: 16, upscale_output_factor: 1 })).status);
      await emu!.close();
      emu = undefined;
      return statuses;
    };
    const a = await pattern(7);
    expect(await pattern(7)).toEqual(a);
    expect(a).toContain(503);
    expect(a).toContain(200);
  });

  it('can change faults and credits while running', async () => {
    await start();
    emu!.setFaults([{ kind: '500' }]);
    expect((await post(corgi)).status).toBe(500);
    emu!.setCredits(0);
    expect((await post(corgi)).status).toBe(400);
  });

  it('drops the connection, or cuts the body short', async () => {
    await start({ faults: 'reset,truncate' });
    await expect(post(corgi)).rejects.toThrow();
    await expect(post(corgi)).rejects.toThrow();
    expect((await post(corgi)).status).toBe(200);
    expect(emu!.requestCount()).toBe(3);
    expect(emu!.credits).toBe(999);
  });
});
