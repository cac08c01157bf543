import type http from 'node:http';
import { priceOf } from './cost.js';
import { renderAnswer } from './images.js';
import { validatePayload, type AcceptedPayload, type Refusal } from './validate.js';

/** One answer, before it is written (and before a fault may spoil it). */
export interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Charge this much if the answer goes out as it is. */
  charge?: number;
}

export type Dialect = 'seed' | 'newer';

/**
 * The API's routes as the contract documents them: `POST /v1/inferences` (generation and
 * `check_cost`), `GET /v1/inferences/credits`, their refusals and their prices. Holds the balance;
 * knows nothing of sockets or faults.
 */
export class EmulatorApi {
  constructor(
    private readonly token: string,
    private readonly dialect: Dialect,
    public balance: number,
  ) {}

  /** Takes a charge for an answer that went out whole. */
  charge(amount: number): void {
    this.balance = Math.round((this.balance - amount) * 1e6) / 1e6;
  }

  route(method: string, path: string, headers: http.IncomingHttpHeaders, body: string, requestId: string): Answer {
    if (path !== '/v1/inferences' && path !== '/v1/inferences/credits') {
      return { status: 404, body: { detail: 'Not Found' } };
    }
    if (headers['x-rd-token'] !== this.token) {
      return { status: 401, body: { detail: { code: 'invalid_token', message: 'Invalid or missing X-RD-Token header' } } };
    }
    if (path === '/v1/inferences/credits') {
      if (method !== 'GET') return { status: 405, body: { detail: 'Method Not Allowed' } };
      return { status: 200, body: this.dialect === 'seed' ? { credits: this.balance } : { credits: 0, balance: this.balance } };
    }
    if (method !== 'POST') return { status: 405, body: { detail: 'Method Not Allowed' } };
    let parsed: unknown;
    try {
      parsed = JSON.parse(body);
    } catch (err) {
      return { status: 422, body: { detail: [{ loc: ['body'], msg: `JSON decode error: ${(err as Error).message}`, type: 'json_invalid' }] } };
    }
    const checked = validatePayload(parsed);
    if (isRefusal(checked)) return checked;
    return this.inference(checked, requestId);
  }

  private inference(a: AcceptedPayload, requestId: string): Answer {
    const price = priceOf(a, this.dialect);
    const created = Math.floor(Date.now() / 1000);
    const model = `RDModel.${a.payload.model ?? 'RD_FLUX'}`;
    const shape = (images: string[], remaining: number) => this.dialect === 'seed'
      ? { created_at: created, credit_cost: price, base64_images: images, model, type: a.payload.input_image ? 'img2img' : 'txt2img', remaining_credits: remaining }
      : { created_at: created, balance_cost: price, base64_images: images, model, remaining_balance: remaining };
    if (a.payload.check_cost) return { status: 200, body: shape([], this.balance) };
    if (this.balance < price) {
      return this.dialect === 'seed'
        ? { status: 400, body: { detail: { code: 'not_enough_credits', message: `Not enough credits: this request costs ${price} credits and you have ${this.balance}` } } }
        : { status: 402, body: { error: { code: 'not_enough_balance', message: `Not enough balance: this request costs $${price} and you have $${this.balance}`, request_id: requestId, details: null } } };
    }
    const images = renderAnswer(a.payload).map((img) => Buffer.from(img.bytes).toString('base64'));
    return { status: 200, body: shape(images, Math.round((this.balance - price) * 1e6) / 1e6), charge: price };
  }
}

function isRefusal(v: AcceptedPayload | Refusal): v is Refusal {
  return 'status' in v;
}
