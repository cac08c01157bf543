import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import { ApiError } from '../../../../plugin/core/providers/retrodiffusion/index.js';
import { KEY, failure, harness, type Harness } from './helpers.js';

const coin: ApiPayload = { model: 'RD_FLUX', prompt: 'gold coin', width: 64, height: 64, num_images: 2, upscale_output_factor: 1 };
const INF = '/v1/inferences';

let h: Harness | undefined;
const errors: Error[] = [];
afterEach(async () => {
  // Whatever happened, neither side may have written the key anywhere a person would see it.
  for (const line of [...(h?.clientLog ?? []), ...(h?.serverLog ?? [])]) expect(line).not.toContain(KEY);
  for (const e of errors.splice(0)) expect(e.message).not.toContain(KEY);
  await h?.close();
  h = undefined;
});

async function fails(p: Promise<unknown>) {
  const err = await failure(p);
  errors.push(err);
  return err;
}

describe('faults the client rides out by asking again', () => {
  const retried: Array<[string, string]> = [
    ['429 with Retry-After in seconds', '429:1*2'],
    ['429 with Retry-After as an HTTP date', '429:date1'],
    ['429 without Retry-After', '429'],
    ['500', '500'],
    ['502 with an HTML page', '502'],
    ['503', '503'],
    ['504', '504'],
    ['a dropped connection', 'reset'],
    ['a body cut off half way', 'truncate'],
    ['latency', 'latency:50'],
  ];
  for (const [what, spec] of retried) {
    it(`succeeds after ${what}`, async () => {
      h = await harness({ faults: spec });
      const result = await h.provider.generate(coin);
      expect(result.images).toHaveLength(2);
      const failures = spec === 'latency:50' ? 0 : spec.endsWith('*2') ? 2 : 1;
      expect(h.emu.requestCount(INF)).toBe(1 + failures);
      if (failures > 0) expect(h.clientLog.some((l) => /retry 2\/5/.test(l))).toBe(true);
      if (spec.startsWith('429:')) expect(h.clientLog.some((l) => /Retry-After/.test(l))).toBe(true);
      // Only the answer that went out whole was charged.
      expect(h.emu.credits).toBe(1000 - result.cost.amount);
    });
  }

  it('succeeds after the server never answers, once the per-request timeout fires', async () => {
    h = await harness({ faults: 'timeout' }, { timeoutMs: 300 });
    const result = await h.provider.generate(coin);
    expect(result.images).toHaveLength(2);
    expect(h.emu.requestCount(INF)).toBe(2);
    expect(h.clientLog.some((l) => /no answer within/.test(l))).toBe(true);
  });

  it('gives up after the bounded number of attempts and says so', async () => {
    h = await harness({ faults: '503@1' });
    const err = await fails(h.provider.generate(coin));
    expect(err).toBeInstanceOf(ApiError);
    expect(err.code).toBe('server-error');
    expect(err.status).toBe(503);
    expect(err.message).toMatch(/HTTP 503.*gave up after 5 attempts/);
    expect(h.emu.requestCount(INF)).toBe(5);
  });

  it('honours maxAttempts', async () => {
    h = await harness({ faults: 'reset@1' }, { maxAttempts: 2 });
    const err = await fails(h.provider.generate(coin));
    expect(err.code).toBe('network');
    expect(err.message).toMatch(/gave up after 2 attempts/);
    expect(h.emu.requestCount(INF)).toBe(2);
  });

  it('does not retry when the Retry-After asked for is beyond the total retry time', async () => {
    h = await harness({ faults: '429:3600' }, { retry: { baseDelayMs: 5, maxDelayMs: 20, maxRetryAfterMs: 10 * 60_000 }, maxRetryTimeMs: 1000 });
    const err = await fails(h.provider.generate(coin));
    expect(err.code).toBe('rate-limited');
    expect(h.emu.requestCount(INF)).toBe(1);
  });
});

describe('answers the client refuses, each with what was wrong', () => {
  const broken: Array<[string, string, RegExp]> = [
    ['malformed JSON', 'bad-json', /malformed answer: not JSON/],
    ['malformed base64', 'bad-base64', /image 1 of 2 is not valid base64/],
    ['the wrong number of images', 'wrong-count', /1 image instead of 2/],
    ['images of the wrong size', 'wrong-size', /65x64, expected 64x64/],
  ];
  for (const [what, spec, message] of broken) {
    it(`reports ${what} without retrying and without a partial result`, async () => {
      h = await harness({ faults: spec });
      const err = await fails(h.provider.generate(coin, { sprite: 'coin' }));
      expect(err).toBeInstanceOf(ApiError);
      expect(err.code).toBe('bad-response');
      expect(err.message).toMatch(message);
      expect(err.message).toContain('sprite "coin"');
      expect(h.emu.requestCount(INF)).toBe(1);
      expect(h.emu.credits).toBe(1000);
    });
  }
});

describe('refusals', () => {
  it('401: says RD_API_KEY was rejected and what to do, without retrying', async () => {
    h = await harness({ faults: '401' });
    const err = await fails(h.provider.generate(coin));
    expect(err.code).toBe('unauthorized');
    expect(err.status).toBe(401);
    expect(err.retryable).toBe(false);
    expect(err.message).toMatch(/^RD_API_KEY was rejected \(HTTP 401/);
    expect(err.message).toMatch(/devtools/);
    expect(h.emu.requestCount(INF)).toBe(1);
  });

  it('a wrong key is rejected by the server, and the message does not repeat it', async () => {
    h = await harness({ token: 'the-right-token' });
    const err = await fails(h.provider.generate(coin));
    expect(err.message).toMatch(/RD_API_KEY was rejected \(HTTP 401/);
    expect(h.emu.received[0]!.headers['x-rd-token']).toBe(KEY);
  });

  it('402: says what the request costs and what is left', async () => {
    h = await harness({ faults: '402' });
    const err = await fails(h.provider.generate(coin, { sprite: 'coin' }));
    expect(err.code).toBe('not-enough-credits');
    expect(err.status).toBe(402);
    expect(err.requestId).toMatch(/^emu-/);
    expect(err.message).toContain('not enough credits: it costs 2 credits and the account has 1000 credits left');
    // the refused request, then the free price and balance look-ups
    expect(h.emu.requestCount(INF)).toBe(2);
    expect(h.emu.requestCount('/v1/inferences/credits')).toBe(1);
  });

  it('422: the API\'s message with the sprite\'s manifest location', async () => {
    const root = path.resolve('/project');
    h = await harness({ faults: '422' }, { root });
    const source = { file: path.join(root, 'manifests', 'items.yaml'), line: 7, column: 5 };
    const err = await fails(h.provider.generate(coin, { sprite: 'coin', source }));
    expect(err.code).toBe('invalid-request');
    expect(err.status).toBe(422);
    expect(err.message).toBe(`${path.join('manifests', 'items.yaml')}:7:5: sprite "coin": the API refused the request (HTTP 422: prompt: Field required)`);
    expect(h.emu.requestCount(INF)).toBe(1);
  });

  it('an unknown style comes back as the API\'s own 400 message', async () => {
    h = await harness();
    const err = await fails(h.provider.generate({ ...coin, prompt_style: 'game_aset' }, { sprite: 'coin' }));
    expect(err.code).toBe('invalid-request');
    expect(err.status).toBe(400);
    expect(err.message).toMatch(/Unknown prompt_style 'game_aset' \(did you mean game_asset/);
  });

  it('an error body that echoes the key is redacted', async () => {
    h = await harness({ token: 'something-else' });
    // A server that repeats the header it got: the emulator does not, so check the redaction directly.
    const { redact } = await import('../../../../plugin/core/providers/retrodiffusion/redact.js');
    expect(redact(`bad token ${KEY} (${KEY})`, KEY)).toBe('bad token [redacted] ([redacted])');
    const err = await fails(h.provider.generate(coin));
    expect(err.message).not.toContain(KEY);
  });
});

describe('cancellation', () => {
  it('an aborted request fails at once and closes its socket', async () => {
    h = await harness({ faults: 'timeout' });
    const controller = new AbortController();
    const pending = h.provider.generate(coin, { signal: controller.signal });
    while (h.emu.requestCount(INF) === 0) await new Promise((r) => setTimeout(r, 10));
    controller.abort(new Error('user pressed Ctrl-C'));
    const err = await fails(pending);
    expect(err.code).toBe('aborted');
    expect(err.message).toContain('user pressed Ctrl-C');
    while (h.emu.connections > 0) await new Promise((r) => setTimeout(r, 10));
    expect(h.emu.requestCount(INF)).toBe(1);
  });

  it('a request still waiting for a free slot can be cancelled, and never reaches the server', async () => {
    h = await harness({ faults: 'timeout' }, { concurrency: 1 });
    const first = new AbortController();
    const second = new AbortController();
    const hanging = h.provider.generate(coin, { signal: first.signal });
    const queued = h.provider.generate(coin, { signal: second.signal });
    while (h.emu.requestCount(INF) === 0) await new Promise((r) => setTimeout(r, 10));
    second.abort(new Error('no longer needed'));
    const err = await fails(queued);
    expect(err.code).toBe('aborted');
    first.abort();
    expect((await fails(hanging)).code).toBe('aborted');
    expect(h.emu.requestCount(INF)).toBe(1);
  });
});
