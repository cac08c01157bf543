import { createHash, randomBytes } from 'node:crypto';
import type http from 'node:http';
import { canonicalJson } from '../core/cache-key.js';
import { isValidIdempotencyKey } from '../core/providers/retrodiffusion/v2/idempotency.js';
import { priceOf } from './cost.js';
import { renderAnswer } from './images.js';
import { validatePayload, type AcceptedPayload } from './validate.js';

/**
 * The v2 half of the emulator, after contracts/v2/openapi.json and error-codes.json
 * (Retro-Diffusion/api-examples, see shared/retrodiffusion-v2.md): a paid POST answers 200 with an
 * accepted task; the task reads `pending` → `running` → `succeeded` | `failed` over `taskMs`;
 * Idempotency-Key replays the original task and charges nothing, a key reused with another body is
 * 409 `idempotency_conflict`, a malformed key 400 `invalid_idempotency_key`; API Activity
 * (`/inferences/requests`) and the task list find requests whose answer was lost; every error is
 * `{"error": {code, message, request_id, details?}}` with `X-Request-ID` equal to its request_id.
 *
 * Where the contract is silent the emulator picks one behaviour and says so: a key sent with
 * `check_cost` is refused with 400 `idempotency_async_required`; a replay of a failed task returns
 * that failed task; keys are kept for the emulator's life; "identical" means the same canonical JSON.
 */
export interface V2Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  charge?: number;
  /** A paid acceptance, for the ledger. */
  paid?: LedgerCharge;
}

export interface LedgerCharge {
  requestId: string;
  api: 'v1' | 'v2';
  prompt: string;
  amount: number;
  idempotencyKey?: string;
  /** Failed tasks are refunded: the charge is in the ledger, the balance is untouched. */
  refunded?: boolean;
}

interface Task {
  id: string;
  createdMs: number;
  durationMs: number;
  accepted: AcceptedPayload;
  /** The body as received, canonical, for idempotency comparison. */
  canonical: string;
  price: number;
  fails: boolean;
  images: string[];
  asUrls: boolean;
  idempotencyKey?: string;
}

export interface V2Options {
  token: string;
  dialect: 'seed' | 'newer';
  /** How long a task takes from accepted to done (ms). */
  taskMs: number;
  balance: () => number;
  /** The emulator's own URL, for output URLs. */
  baseUrl: () => string;
}

export class EmulatorV2 {
  private readonly tasks = new Map<string, Task>();
  private readonly byKey = new Map<string, string>();
  private serial = 0;
  /** Output URLs carry a secret, as a signed URL would; the token is not needed to read them. */
  private readonly signature = randomBytes(8).toString('hex');

  constructor(private readonly opts: V2Options) {}

  setTaskMs(ms: number): void {
    this.opts.taskMs = ms;
  }

  route(method: string, url: URL, headers: http.IncomingHttpHeaders, body: string, requestId: string): V2Answer {
    const path = url.pathname;
    const out = this.routeInner(method, url, headers, body, requestId);
    // Every answer names its request; errors repeat it in the envelope.
    const rid = out.status >= 400 ? requestId : (out.paid?.requestId ?? requestId);
    if (path === '/v2/inferences' && method === 'POST') return { ...out, headers: { ...out.headers, 'x-request-id': rid, 'x-rd-request-id': rid } };
    return { ...out, headers: { ...out.headers, 'x-request-id': rid } };
  }

  private routeInner(method: string, url: URL, headers: http.IncomingHttpHeaders, body: string, requestId: string): V2Answer {
    const path = url.pathname;
    const err = (status: number, code: string, message: string, details?: unknown): V2Answer => v2Error(status, code, message, requestId, details);
    if (path === '/v2/status') {
      if (method !== 'GET') return err(405, 'method_not_allowed', 'Method Not Allowed');
      return { status: 200, body: { status: { inference: 'ok', api: 'ok' }, updated_at: Math.floor(Date.now() / 1000) } };
    }
    const output = /^\/v2\/outputs\/([^/]+)\/(\d+)$/.exec(path);
    if (output) return this.output(output[1]!, Number(output[2]), url.searchParams.get('sig'), requestId);
    if (headers['x-rd-token'] !== this.opts.token) return err(401, 'invalid_token', 'Invalid or missing X-RD-Token header');
    if (path === '/v2/inferences/credits') {
      if (method !== 'GET') return err(405, 'method_not_allowed', 'Method Not Allowed');
      return { status: 200, body: this.opts.dialect === 'seed' ? { credits: this.opts.balance(), balance: 0 } : { credits: 0, balance: this.opts.balance() } };
    }
    if (path === '/v2/inferences') {
      if (method !== 'POST') return err(405, 'method_not_allowed', 'Method Not Allowed');
      return this.post(headers, body, requestId);
    }
    if (method !== 'GET') return err(405, 'method_not_allowed', 'Method Not Allowed');
    const task = /^\/v2\/inferences\/tasks\/([^/]+)$/.exec(path);
    if (task) {
      const t = this.tasks.get(decodeURIComponent(task[1]!));
      if (!t) return err(404, 'not_found', 'Task not found');
      const read = this.taskRead(t);
      const left = t.createdMs + t.durationMs - Date.now();
      // A hint of when to come back (the contract's ~2 s, shortened to what is left here).
      return { status: 200, body: read, ...(left > 0 ? { headers: { 'retry-after': (Math.max(50, left) / 1000).toFixed(2) } } : {}) };
    }
    if (path === '/v2/inferences/tasks') {
      const limit = clampInt(url.searchParams.get('limit'), 20, 1, 100);
      const status = url.searchParams.get('status');
      const list = this.newestFirst().map((t) => this.taskRead(t)).filter((t) => !status || t.status === status).slice(0, limit);
      return { status: 200, body: { tasks: list } };
    }
    const activity = /^\/v2\/inferences\/requests\/([^/]+)$/.exec(path);
    if (activity) {
      const t = this.tasks.get(decodeURIComponent(activity[1]!));
      if (!t) return err(404, 'api_activity_not_found', 'No API activity with this request id');
      return { status: 200, body: this.activity(t) };
    }
    if (path === '/v2/inferences/requests') {
      const limitRaw = url.searchParams.get('limit');
      const limit = clampInt(limitRaw, 20, 1, 100);
      if (limitRaw !== null && String(limit) !== limitRaw) {
        return err(422, 'validation_error', 'Request validation failed', { issues: [{ location: 'query.limit', code: 'range', message: 'limit must be 1-100' }] });
      }
      const cursor = url.searchParams.get('cursor');
      const status = url.searchParams.get('status');
      let all = this.newestFirst().map((t) => this.activity(t)).filter((a) => !status || a.status === status);
      if (cursor) {
        const at = all.findIndex((a) => a.request_id === cursor);
        if (at < 0) return err(400, 'invalid_cursor', 'Unknown cursor');
        all = all.slice(at + 1);
      }
      const items = all.slice(0, limit);
      return { status: 200, body: { items, ...(all.length > limit ? { next_cursor: items[items.length - 1]!.request_id } : {}) } };
    }
    return err(404, 'not_found', 'Not Found');
  }

  private post(headers: http.IncomingHttpHeaders, body: string, requestId: string): V2Answer {
    const err = (status: number, code: string, message: string, details?: unknown): V2Answer => v2Error(status, code, message, requestId, details);
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (e) {
      return err(422, 'validation_error', 'Request validation failed', { issues: [{ location: 'body', code: 'json_invalid', message: (e as Error).message }] });
    }
    const checked = validatePayload(parsed);
    if ('status' in checked) return fromV1Refusal(checked.status, checked.body, requestId);
    const keyHeader = headers['idempotency-key'];
    const idem = Array.isArray(keyHeader) ? keyHeader[0] : keyHeader;
    if (idem !== undefined && !isValidIdempotencyKey(idem)) {
      return err(400, 'invalid_idempotency_key', 'Idempotency-Key must be 1-256 visible ASCII characters');
    }
    const price = priceOf(checked, this.opts.dialect);
    if (checked.payload.check_cost) {
      if (idem !== undefined) return err(400, 'idempotency_async_required', 'Idempotency-Key is only accepted for paid async inferences');
      return { status: 200, body: this.run(checked, price, [], []) };
    }
    const canonical = canonicalJson(parsed);
    if (idem !== undefined) {
      const known = this.byKey.get(idem);
      if (known) {
        const t = this.tasks.get(known)!;
        if (t.canonical !== canonical) return err(409, 'idempotency_conflict', 'This Idempotency-Key was used with a different request');
        // The original task, and no charge.
        return { status: 200, body: accepted(t) };
      }
    }
    const balance = this.opts.balance();
    if (balance < price) {
      return this.opts.dialect === 'seed'
        ? err(402, 'not_enough_balance', `Not enough credits: this request costs ${price} credits and you have ${balance}`)
        : err(402, 'not_enough_balance', `Not enough balance: this request costs $${price} and you have $${balance}`);
    }
    const fails = String(headers['x-rd-fail-inference'] ?? 'false').toLowerCase() === 'true';
    const p = checked.payload as unknown as Record<string, unknown>;
    // Drawn before the clock starts, so the task's timeline is what `taskMs` says, not the drawing's.
    const images = fails ? [] : renderAnswer(checked.payload).map((img) => Buffer.from(img.bytes).toString('base64'));
    const t: Task = {
      id: `${requestId}-${createHash('sha256').update(canonical + this.serial++).digest('hex').slice(0, 12)}`,
      createdMs: Date.now(),
      durationMs: this.opts.taskMs,
      accepted: checked,
      canonical,
      price,
      fails,
      images,
      asUrls: p.upload_outputs === true,
      ...(idem !== undefined ? { idempotencyKey: idem } : {}),
    };
    this.tasks.set(t.id, t);
    if (idem !== undefined) this.byKey.set(idem, t.id);
    const paid: LedgerCharge = {
      requestId: t.id, api: 'v2', prompt: checked.payload.prompt, amount: price,
      ...(idem !== undefined ? { idempotencyKey: idem } : {}), ...(fails ? { refunded: true } : {}),
    };
    // A task that will fail is refunded: the emulator settles that at once (charge 0, marked refunded).
    return { status: 200, body: accepted(t), charge: fails ? 0 : price, paid };
  }

  private status(t: Task): 'pending' | 'running' | 'succeeded' | 'failed' {
    const age = Date.now() - t.createdMs;
    if (age >= t.durationMs) return t.fails ? 'failed' : 'succeeded';
    return age < t.durationMs * 0.3 ? 'pending' : 'running';
  }

  private taskRead(t: Task): Record<string, unknown> {
    const status = this.status(t);
    const done = status === 'succeeded' || status === 'failed';
    const read: Record<string, unknown> = {
      task_id: t.id,
      status,
      created_at: new Date(t.createdMs).toISOString(),
      updated_at: new Date(done ? t.createdMs + t.durationMs : Date.now()).toISOString(),
    };
    if (status === 'succeeded') {
      read.result = t.asUrls ? this.run(t.accepted, t.price, [], this.urls(t), t) : this.run(t.accepted, t.price, t.images, [], t);
    }
    if (status === 'failed') {
      read.error = { status_code: 502, code: 'inference_failed', message: 'The inference failed; you were refunded', request_id: t.id };
    }
    return read;
  }

  private urls(t: Task): string[] {
    return t.images.map((_, i) => `${this.opts.baseUrl()}/v2/outputs/${t.id}/${i}?sig=${this.signature}`);
  }

  /** An InferenceRun: ISO created_at and the integer credit_cost the OpenAPI requires. */
  private run(a: AcceptedPayload, price: number, images: string[], urls: string[], t?: Task): Record<string, unknown> {
    const seed = this.opts.dialect === 'seed';
    return {
      created_at: new Date(t?.createdMs ?? Date.now()).toISOString(),
      credit_cost: seed ? price : 0,
      ...(seed ? {} : { balance_cost: price, remaining_balance: this.opts.balance() }),
      model: a.payload.check_cost ? 'check_cost' : 'rd_plus',
      type: a.payload.input_image ? 'img2img' : 'txt2img',
      base64_images: images,
      ...(urls.length ? { output_urls: urls, output_url_expires_at: new Date(Date.now() + 15 * 60_000).toISOString() } : {}),
      ...(t ? { request_id: t.id } : {}),
    };
  }

  private activity(t: Task): Record<string, unknown> {
    const status = this.status(t);
    const p = t.accepted.payload;
    return {
      request_id: t.id,
      status: status === 'pending' ? 'queued' : status,
      mode: 'async',
      operation: 'inference',
      token_prefix: this.opts.token.slice(0, 4),
      created_at: new Date(t.createdMs).toISOString(),
      updated_at: new Date(Math.min(Date.now(), t.createdMs + t.durationMs)).toISOString(),
      output_status: status === 'succeeded' ? 'available' : status === 'failed' ? 'none' : 'pending',
      // What was asked, without the images.
      request: { prompt: p.prompt, prompt_style: p.prompt_style, width: p.width, height: p.height, num_images: p.num_images, seed: p.seed, model: p.model },
      balance_cost: t.price,
      charged: !t.fails,
      http_status: 200,
      ...(status === 'succeeded' ? {
        completed_at: new Date(t.createdMs + t.durationMs).toISOString(),
        outputs: this.urls(t).map((url, position) => ({ position, media_type: t.images.length && t.accepted.style?.animated && !t.accepted.sheet ? 'image/gif' : 'image/png', available: true, url })),
      } : {}),
    };
  }

  private output(id: string, index: number, sig: string | null, requestId: string): V2Answer {
    const t = this.tasks.get(id);
    if (!t || sig !== this.signature || this.status(t) !== 'succeeded' || !t.images[index]) return v2Error(404, 'not_found', 'No such output', requestId);
    return { status: 200, body: Buffer.from(t.images[index]!, 'base64'), headers: { 'content-type': 'application/octet-stream' } };
  }

  private newestFirst(): Task[] {
    return [...this.tasks.values()].reverse();
  }
}

function accepted(t: Task): Record<string, unknown> {
  return { status: 'accepted', task_id: t.id, message: 'Inference accepted; poll the task for its result', request_id: t.id };
}

export function v2Error(status: number, code: string, message: string, requestId: string, details?: unknown): V2Answer {
  return { status, body: { error: { code, message, request_id: requestId, ...(details !== undefined ? { details } : {}) } } };
}

/** The v1 validator's refusals (FastAPI shapes) in the v2 envelope. */
export function fromV1Refusal(status: number, body: unknown, requestId: string): V2Answer {
  const detail = (body as { detail?: unknown })?.detail;
  if (Array.isArray(detail)) {
    const issues = detail.map((d: { loc?: unknown[]; msg?: string; type?: string }) => ({
      location: (d.loc ?? []).join('.'), code: d.type ?? 'invalid', message: d.msg ?? '',
    }));
    return v2Error(422, 'validation_error', 'Request validation failed', requestId, { issues });
  }
  if (detail && typeof detail === 'object') {
    const d = detail as { code?: string; message?: string };
    const code = d.code === 'invalid_style' ? 'style_not_found' : d.code === 'invalid_size' ? 'invalid_dimensions' : d.code === 'not_enough_credits' ? 'not_enough_balance' : 'bad_request';
    return v2Error(code === 'style_not_found' ? 404 : status, code, d.message ?? 'Bad request', requestId);
  }
  if (typeof detail === 'string') return v2Error(status, status === 404 ? 'not_found' : 'bad_request', detail, requestId);
  return v2Error(status, 'bad_request', typeof body === 'string' ? body.replace(/<[^>]*>/g, ' ').trim() : 'Bad request', requestId);
}

function clampInt(raw: string | null, fallback: number, min: number, max: number): number {
  if (raw === null) return fallback;
  const n = Number(raw);
  if (!Number.isInteger(n)) return fallback;
  return Math.min(max, Math.max(min, n));
}
