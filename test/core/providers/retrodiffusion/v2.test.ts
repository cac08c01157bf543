import { mkdtemp, readdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { canonicalJson } from '../../../../plugin/core/cache-key.js';
import type { ApiPayload } from '../../../../plugin/core/payload.js';
import type { GenerateContext } from '../../../../plugin/core/providers/provider.js';
import { PendingJournal } from '../../../../plugin/core/providers/retrodiffusion/v2/journal.js';
import { KEY, failure, harness, type Harness } from './helpers.js';

/**
 * The v2 flow against the emulator, which follows the published contract (contracts/v2/openapi.json
 * and error-codes.json of Retro-Diffusion/api-examples, summarised in shared/retrodiffusion-v2.md):
 * real HTTP on a real socket, the emulator's ledger as the bill.
 */
const payload: ApiPayload = { prompt: 'a small red potion', width: 64, height: 64, num_images: 1, seed: 7, prompt_style: 'rd_fast__default' } as ApiPayload;
const CONTENT_KEY = 'ab'.repeat(32);
let h: Harness | undefined;
const dirs: string[] = [];

async function v2(emuOpts: Parameters<typeof harness>[0] = {}, clientOpts: Parameters<typeof harness>[1] = {}): Promise<Harness> {
  h = await harness({ taskMs: 120, ...emuOpts }, { version: 'v2', poll: { intervalMs: 20, maxIntervalMs: 50 }, ...clientOpts });
  return h;
}
async function context(extra: Partial<GenerateContext> = {}): Promise<GenerateContext> {
  const dir = await mkdtemp(join(tmpdir(), 'rs-v2-'));
  dirs.push(dir);
  return { key: CONTENT_KEY, journalDir: join(dir, '.pending'), sprite: 'potion', ...extra };
}
const posts = (hh: Harness) => hh.emu.received.filter((r) => r.method === 'POST' && r.path === '/v2/inferences');
const charged = (hh: Harness) => hh.emu.ledger.filter((c) => !c.refunded).length;

afterEach(async () => {
  await h?.close();
  h = undefined;
  for (const d of dirs.splice(0)) await rm(d, { recursive: true, force: true });
});

describe('v2: a task under an Idempotency-Key', () => {
  it('posts the canonical body once under a key derived from the content key, polls, and returns the art', async () => {
    const hh = await v2();
    const ctx = await context();
    const result = await hh.provider.generate(payload, ctx);
    expect(result.images).toHaveLength(1);
    expect(result.images[0]!.format).toBe('png');
    expect(result.createdAt).toBeGreaterThan(1_700_000_000); // ISO created_at read as Unix seconds
    const [post] = posts(hh);
    expect(posts(hh)).toHaveLength(1);
    expect(post!.body).toBe(canonicalJson(payload));
    expect(post!.headers['idempotency-key']).toBe(`rs1.${CONTENT_KEY}.first`);
    expect(post!.headers['x-rd-token']).toBe(KEY);
    expect(hh.emu.received.some((r) => r.path.startsWith('/v2/inferences/tasks/'))).toBe(true);
    expect(hh.emu.received.some((r) => r.path.startsWith('/v1/'))).toBe(false);
    expect(charged(hh)).toBe(1);
  });

  it('a dropped answer after the API took the money is replayed under the same key and charged once', async () => {
    const hh = await v2({ faults: 'drop-after-accept*1' });
    const result = await hh.provider.generate(payload, await context());
    expect(result.images).toHaveLength(1);
    expect(posts(hh)).toHaveLength(2);
    expect(new Set(posts(hh).map((p) => p.headers['idempotency-key'])).size).toBe(1);
    expect(charged(hh)).toBe(1);
  });

  it('when every retry is lost, finds the paid request in API Activity instead of paying again', async () => {
    const hh = await v2({ faults: 'drop-after-accept*1,reset*5' }, { maxAttempts: 2 });
    const result = await hh.provider.generate(payload, await context());
    expect(result.images).toHaveLength(1);
    expect(hh.emu.received.some((r) => r.path === '/v2/inferences/requests')).toBe(true);
    expect(charged(hh)).toBe(1);
    expect(hh.clientLog.join('\n')).toMatch(/found it as request .* in API Activity/);
  });

  it('an interrupt stops the polling, keeps the task id in the journal, and the next call polls it without posting', async () => {
    const hh = await v2({ taskMs: 400 });
    const ctx = await context();
    const stop = new AbortController();
    const first = hh.provider.generate(payload, { ...ctx, interrupt: stop.signal });
    await new Promise((r) => setTimeout(r, 150));
    stop.abort(new Error('ctrl-c'));
    const err = await failure(first);
    expect(err.code).toBe('aborted');
    expect(err.message).toMatch(/task \S+ keeps running and is saved in the cache's .pending\/, so the next run picks it up without paying again/);
    const saved = await new PendingJournal(ctx.journalDir!).read(CONTENT_KEY);
    expect(saved?.taskId).toMatch(/\S/);
    expect(saved?.idempotencyKey).toBe(`rs1.${CONTENT_KEY}.first`);
    const result = await hh.provider.generate(payload, ctx);
    expect(result.images).toHaveLength(1);
    expect(posts(hh)).toHaveLength(1);
    expect(charged(hh)).toBe(1);
    expect(hh.clientLog.join('\n')).toMatch(/resuming task .* from the journal/);
  });

  it('a damaged journal record is ignored: the derived key replays the original task, nothing is paid twice', async () => {
    const hh = await v2();
    const ctx = await context();
    await hh.provider.generate(payload, ctx);
    await writeFile(join(ctx.journalDir!, `${CONTENT_KEY}.json`), '{"key":"' + CONTENT_KEY + '","idempotencyKey":"bad key with spaces","taskId":"../../etc"}');
    await hh.provider.generate(payload, ctx);
    expect(posts(hh).map((p) => p.headers['idempotency-key'])).toEqual([`rs1.${CONTENT_KEY}.first`, `rs1.${CONTENT_KEY}.first`]);
    expect(charged(hh)).toBe(1);
  });

  it('a failed task (HTTP 200, status failed) is refunded and submitted once more under a key that follows from it', async () => {
    const hh = await v2({ faults: 'task-failed*1' });
    const result = await hh.provider.generate(payload, await context());
    expect(result.images).toHaveLength(1);
    const keys = posts(hh).map((p) => p.headers['idempotency-key']);
    expect(keys).toHaveLength(2);
    expect(keys[1]).not.toBe(keys[0]);
    expect(keys[1]).toMatch(/^rs1\.[0-9a-f]{64}\.[0-9a-f]{24}$/);
    expect(hh.emu.ledger.map((c) => Boolean(c.refunded))).toEqual([true, false]);
    expect(hh.clientLog.join('\n')).toMatch(/task .* failed \(inference_failed: .*request id/);
  });

  it('a task that keeps failing is an error with its request id, never an empty result', async () => {
    const hh = await v2({ faults: 'task-failed*5' });
    const err = await failure(hh.provider.generate(payload, await context()));
    expect(err.code).toBe('task-failed');
    expect(err.message).toMatch(/sprite "potion": the API's task \S+ failed \(inference_failed: .*\), request id \S+/);
    expect(charged(hh)).toBe(0);
    expect(hh.emu.received.some((r) => r.path.startsWith('/v1/'))).toBe(false);
  });

  it('the same key with another body is a clear conflict naming the sprite', async () => {
    const hh = await v2();
    const ctx = await context();
    await hh.provider.generate(payload, ctx);
    await rm(ctx.journalDir!, { recursive: true, force: true });
    const err = await failure(hh.provider.generate({ ...payload, prompt: 'a small blue potion' }, ctx));
    expect(err.code).toBe('idempotency-conflict');
    expect(err.message).toMatch(/^sprite "potion": .*HTTP 409: This Idempotency-Key was used with a different request, request id emu-\d+/);
  });

  it('v2 error envelopes become the same typed errors, with the request id', async () => {
    const hh = await v2({}, { apiKey: 'wrong-key' });
    const err = await failure(hh.provider.generate(payload, await context()));
    expect(err.code).toBe('unauthorized');
    expect(err.requestId).toMatch(/^emu-\d+$/);
    expect(err.message).toContain(`request id ${err.requestId}`);
    expect(err.message).not.toContain('wrong-key');
  });

  it('reads results that come only as output URLs (large answers), without sending the key there', async () => {
    const hh = await v2();
    const result = await hh.provider.generate({ ...payload, upload_outputs: true } as ApiPayload, await context());
    expect(result.images).toHaveLength(1);
    const download = hh.emu.received.find((r) => r.path.startsWith('/v2/outputs/'));
    expect(download).toBeDefined();
    expect(download!.headers['x-rd-token']).toBeUndefined();
  });

  it('prices with check_cost on v2, without an Idempotency-Key and without charging', async () => {
    // exactCost: rd_fast__default has a published formula, which would otherwise be computed here.
    const hh = await v2({}, { exactCost: true });
    const cost = await hh.provider.estimateCost(payload);
    expect(cost.amount).toBeGreaterThan(0);
    const [post] = posts(hh);
    expect(post!.headers['idempotency-key']).toBeUndefined();
    expect(hh.emu.ledger).toHaveLength(0);
  });

  it('the journal file is written atomically and holds nothing but the key, the Idempotency-Key and ids', async () => {
    const hh = await v2({ taskMs: 300 });
    const ctx = await context();
    const stop = new AbortController();
    const run = hh.provider.generate(payload, { ...ctx, interrupt: stop.signal });
    await new Promise((r) => setTimeout(r, 120));
    stop.abort();
    await failure(run);
    const files = await readdir(ctx.journalDir!);
    expect(files).toEqual([`${CONTENT_KEY}.json`]);
    const record = JSON.parse(await readFile(join(ctx.journalDir!, files[0]!), 'utf8')) as Record<string, unknown>;
    expect(Object.keys(record).sort()).toEqual(['at', 'idempotencyKey', 'key', 'requestId', 'taskId']);
    expect(JSON.stringify(record)).not.toContain(KEY);
  });
});
