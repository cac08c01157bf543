import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../plugin/emulator/index.js';

/**
 * The emulator's v2, checked with plain HTTP against the contract in shared/retrodiffusion-v2.md
 * (from contracts/v2/openapi.json and error-codes.json of Retro-Diffusion/api-examples).
 */
const TOKEN = 'v2-emu-token';
let emu: Emulator;
beforeAll(async () => {
  emu = await startEmulator({ token: TOKEN, credits: 100, taskMs: 150 });
});
afterAll(() => emu.close());

const body = { prompt: 'a tiny key', width: 64, height: 64, num_images: 1, seed: 3 };
async function api(path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}) {
  const res = await fetch(emu.url + path, {
    method: init.method ?? 'GET',
    headers: { 'x-rd-token': TOKEN, 'content-type': 'application/json', ...init.headers },
    ...(init.body !== undefined ? { body: typeof init.body === 'string' ? init.body : JSON.stringify(init.body) } : {}),
  });
  return { status: res.status, headers: res.headers, json: (await res.json()) as Record<string, any> };
}

describe('the emulator speaks v2', () => {
  it('a paid POST answers 200 with an accepted task that goes pending → running → succeeded, charged once', async () => {
    const before = emu.credits;
    emu.setTaskMs(900); // a window of 270 ms for pending, wide enough on a busy machine
    const post = await api('/v2/inferences', { method: 'POST', body, headers: { 'idempotency-key': 'k-lifecycle' } });
    emu.setTaskMs(150);
    expect(post.status).toBe(200);
    expect(post.json).toMatchObject({ status: 'accepted', task_id: expect.any(String) });
    expect(post.headers.get('x-request-id')).toBe(post.json.request_id);
    const id = post.json.task_id as string;
    const seen = new Set<string>();
    for (let i = 0; i < 40; i++) {
      const t = await api(`/v2/inferences/tasks/${id}`);
      expect(t.json).toMatchObject({ task_id: id, created_at: expect.any(String), updated_at: expect.any(String) });
      seen.add(t.json.status);
      if (t.json.status === 'succeeded') {
        expect(t.json.result).toMatchObject({ credit_cost: expect.any(Number), model: expect.any(String), created_at: expect.any(String) });
        expect(t.json.result.base64_images).toHaveLength(1);
        break;
      }
      await new Promise((r) => setTimeout(r, 40));
    }
    expect([...seen]).toEqual(['pending', 'running', 'succeeded']);
    expect(emu.credits).toBe(before - 1);
  });

  it('the same Idempotency-Key replays the task for free; with another body it is 409; a bad key is 400', async () => {
    const a = await api('/v2/inferences', { method: 'POST', body, headers: { 'idempotency-key': 'k-replay' } });
    const credits = emu.credits;
    const b = await api('/v2/inferences', { method: 'POST', body: { seed: 3, num_images: 1, height: 64, width: 64, prompt: 'a tiny key' }, headers: { 'idempotency-key': 'k-replay' } });
    expect(b.json.task_id).toBe(a.json.task_id);
    expect(emu.credits).toBe(credits);
    const c = await api('/v2/inferences', { method: 'POST', body: { ...body, seed: 4 }, headers: { 'idempotency-key': 'k-replay' } });
    expect(c.status).toBe(409);
    expect(c.json.error).toMatchObject({ code: 'idempotency_conflict', request_id: c.headers.get('x-request-id') });
    for (const bad of ['has space', 'x'.repeat(257), 'tab\there']) {
      const d = await api('/v2/inferences', { method: 'POST', body, headers: { 'idempotency-key': bad } });
      expect(d.status, bad).toBe(400);
      expect(d.json.error.code).toBe('invalid_idempotency_key');
    }
    expect(emu.credits).toBe(credits);
  });

  it('errors use the v2 envelope with X-Request-ID: 401, 404, 422 with issues', async () => {
    const r401 = await api('/v2/inferences/credits', { headers: { 'x-rd-token': 'nope' } });
    expect(r401.status).toBe(401);
    expect(r401.json.error).toMatchObject({ code: 'invalid_token', request_id: r401.headers.get('x-request-id') });
    const r404 = await api('/v2/inferences/tasks/not-a-task');
    expect(r404.status).toBe(404);
    expect(r404.json.error.code).toBe('not_found');
    const r422 = await api('/v2/inferences', { method: 'POST', body: { prompt: 'x', width: 'wide', height: 64, num_images: 1 } });
    expect(r422.status).toBe(422);
    expect(r422.json.error).toMatchObject({ code: 'validation_error', details: { issues: [{ location: 'body.width', code: 'int_type' }] } });
  });

  it('a failed task is HTTP 200 with status failed and an error, and is refunded', async () => {
    const credits = emu.credits;
    const post = await api('/v2/inferences', { method: 'POST', body, headers: { 'x-rd-fail-inference': 'true' } });
    await new Promise((r) => setTimeout(r, 200));
    const t = await api(`/v2/inferences/tasks/${post.json.task_id}`);
    expect(t.status).toBe(200);
    expect(t.json).toMatchObject({ status: 'failed', error: { status_code: 502, code: 'inference_failed', request_id: post.json.task_id } });
    expect(emu.credits).toBe(credits);
    expect(emu.ledger.at(-1)).toMatchObject({ refunded: true });
  });

  it('API Activity and the task list find requests newest first, with cursors; /v2/status needs no key', async () => {
    const list = await api('/v2/inferences/requests?limit=2');
    expect(list.json.items).toHaveLength(2);
    expect(list.json.items[0]).toMatchObject({ mode: 'async', request: { prompt: 'a tiny key' }, token_prefix: TOKEN.slice(0, 4) });
    const next = await api(`/v2/inferences/requests?limit=2&cursor=${list.json.next_cursor}`);
    expect(next.json.items[0].request_id).not.toBe(list.json.items[0].request_id);
    const one = await api(`/v2/inferences/requests/${list.json.items[0].request_id}`);
    expect(one.json.request_id).toBe(list.json.items[0].request_id);
    expect((await api('/v2/inferences/requests/nope')).json.error.code).toBe('api_activity_not_found');
    const tasks = await api('/v2/inferences/tasks?limit=3&status=failed');
    expect(tasks.json.tasks.every((t: { status: string }) => t.status === 'failed')).toBe(true);
    const status = await fetch(emu.url + '/v2/status');
    expect(status.status).toBe(200);
    expect(((await status.json()) as { status: unknown }).status).toBeTypeOf('object');
  });

  it('drop-after-accept takes the money and drops the connection; a replay under the key is free', async () => {
    emu.setFaults('drop-after-accept*1');
    const credits = emu.credits;
    await expect(api('/v2/inferences', { method: 'POST', body: { ...body, seed: 99 }, headers: { 'idempotency-key': 'k-drop' } })).rejects.toThrow();
    expect(emu.credits).toBe(credits - 1);
    const again = await api('/v2/inferences', { method: 'POST', body: { ...body, seed: 99 }, headers: { 'idempotency-key': 'k-drop' } });
    expect(again.status).toBe(200);
    expect(emu.credits).toBe(credits - 1);
  });
});
