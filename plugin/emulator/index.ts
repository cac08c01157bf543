import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { FaultPlan, seededRandom, type FaultRule } from './faults.js';
import { priceOf } from './cost.js';
import { renderAnswer, wrongSizePng } from './images.js';
import { validatePayload, type AcceptedPayload, type Refusal } from './validate.js';
import { EmulatorV2, fromV1Refusal, type LedgerCharge } from './v2.js';

export { parseFaultSpec, FAULT_KINDS, FaultSpecError, type FaultKind, type FaultRule } from './faults.js';
export { priceOf } from './cost.js';
export { REGULAR_SIZE_FACTOR } from './images.js';
export type { LedgerCharge } from './v2.js';

export const DEFAULT_EMULATOR_PORT = 8787;
export const DEFAULT_EMULATOR_TOKEN = 'emulator-token';
export const DEFAULT_EMULATOR_CREDITS = 1000;

export interface EmulatorOptions {
  /** 0 = an ephemeral port (tests); the CLI defaults to 8787. */
  port?: number;
  /** Default 127.0.0.1: the emulator is for this machine only. */
  host?: string;
  /** The token the emulator accepts in `X-RD-Token` (default `emulator-token`). */
  token?: string;
  /** Starting balance: credits (seed dialect) or USD (newer dialect). Default 1000. */
  credits?: number;
  /** Added to every request. */
  latencyMs?: number;
  faults?: FaultRule[] | string;
  /** Seed of the generator that decides rate-based faults. */
  seed?: number;
  /** `seed`: the seed document's shapes (credits); `newer`: balance in USD, `error` shapes for money. */
  dialect?: 'seed' | 'newer';
  /** One line per request: method, path, style, size, status, ms. Never the token. */
  log?: (line: string) => void;
  /** v2: how long a task takes from accepted to done (default 1000 ms). */
  taskMs?: number;
  /** Called the moment a paid request is charged (before its answer is written). */
  onCharge?: (charge: LedgerCharge) => void;
}

export interface RecordedRequest {
  method: string;
  path: string;
  headers: http.IncomingHttpHeaders;
  /** The raw body text, exactly as received. */
  body: string;
  /** The body parsed as JSON, when it was JSON. */
  json?: unknown;
}

export interface Emulator {
  url: string;
  port: number;
  received: RecordedRequest[];
  requestCount(path?: string): number;
  setFaults(f: FaultRule[] | string): void;
  setCredits(n: number): void;
  setTaskMs(ms: number): void;
  /** Every paid request, in order: what a bill would show (refunded failed tasks marked). */
  ledger: LedgerCharge[];
  /** The current balance (credits or USD, by dialect). */
  readonly credits: number;
  /** The most requests the emulator was handling at once. */
  readonly maxInFlight: number;
  /** Sockets open right now (a client that gave up must have closed its own). */
  readonly connections: number;
  close(): Promise<void>;
}

interface Answer {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Charge this much if the answer goes out as it is. */
  charge?: number;
  /** v2: the acceptance this answer carries, for the ledger. */
  paid?: LedgerCharge;
}

const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const token = opts.token ?? DEFAULT_EMULATOR_TOKEN;
  const dialect = opts.dialect ?? 'seed';
  const plan = new FaultPlan(seededRandom(opts.seed ?? 1));
  plan.set(opts.faults);
  let balance = opts.credits ?? DEFAULT_EMULATOR_CREDITS;
  const received: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  let serial = 0;
  const ledger: LedgerCharge[] = [];
  let selfUrl = '';
  const v2 = new EmulatorV2({ token, dialect, taskMs: opts.taskMs ?? 1000, balance: () => balance, baseUrl: () => selfUrl });
  /** Takes the money for an answer that is going out (or was accepted and then lost). */
  const settle = (answer: Answer, prompt: unknown) => {
    if (answer.status !== 200) return;
    if (answer.charge) balance = Math.round((balance - answer.charge) * 1e6) / 1e6;
    const paid = answer.paid ?? (answer.charge ? { requestId: '', api: 'v1' as const, prompt: String(prompt), amount: answer.charge } : undefined);
    if (paid) {
      ledger.push(paid);
      opts.onCharge?.(paid);
    }
  };

  const server = http.createServer((req, res) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finished = () => {
      if (!done) {
        done = true;
        inFlight--;
      }
    };
    res.on('close', finished);
    handle(req, res).catch((err: unknown) => {
      if (!res.headersSent) {
        writeJson(res, { status: 500, body: { detail: { code: 'internal_error', message: `emulator: ${(err as Error).message}` } } });
      } else res.destroy();
    });
  });
  server.on('connection', (s) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = Date.now();
    const requestId = `emu-${++serial}`;
    const body = await readBody(req);
    const fullUrl = new URL(req.url ?? '/', 'http://emulator');
    const path = fullUrl.pathname;
    const isV2 = path.startsWith('/v2/');
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch { /* recorded as raw text only */ }
    received.push({ method: req.method ?? '', path, headers: { ...req.headers }, body, ...(json !== undefined ? { json } : {}) });

    const p = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    const what = path === '/v1/inferences' || path === '/v2/inferences'
      ? ` ${typeof p.prompt_style === 'string' ? p.prompt_style : 'no-style'} ${String(p.width)}x${String(p.height)}${p.check_cost ? ' check_cost' : ''}`
      : '';
    const logLine = (status: number | string, note = '') =>
      opts.log?.(`emulator: ${req.method} ${path}${what} -> ${status} ${Date.now() - started}ms${note}`);

    const { latencyMs, fault } = plan.take(path);
    const delay = latencyMs + (opts.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const note = fault ? ` [fault ${fault.kind}]` : '';

    if (fault?.kind === 'task-failed') {
      const answer = route(req.method ?? 'GET', fullUrl, { ...req.headers, 'x-rd-fail-inference': 'true' }, body, requestId);
      settle(answer, p.prompt);
      writeJson(res, answer);
      logLine(answer.status, note);
      return;
    }
    if (fault?.kind === 'drop-after-accept') {
      // The worst case of a lost answer: the API took the request (and the money), the client never hears.
      const answer = route(req.method ?? 'GET', fullUrl, req.headers, body, requestId);
      settle(answer, p.prompt);
      logLine(`${answer.status}, then dropped`, note);
      req.socket.destroy();
      return;
    }
    if (fault) {
      const raw = immediateFault(fault, requestId);
      const immediate = raw && typeof raw === 'object' && isV2 && typeof raw.body === 'object'
        ? { ...fromV1Refusal(raw.status, raw.body, requestId), headers: { ...raw.headers, 'x-request-id': requestId } }
        : raw;
      if (immediate === 'reset') {
        logLine('reset', note);
        req.socket.destroy();
        return;
      }
      if (immediate === 'timeout') {
        logLine('no answer', note);
        return;
      }
      if (immediate) {
        writeJson(res, immediate);
        logLine(immediate.status, note);
        return;
      }
    }

    let answer = route(req.method ?? 'GET', fullUrl, req.headers, body, requestId);
    if (fault && answer.status === 200) {
      // A v1 answer spoiled on the way is not charged; a v2 task, once accepted, is.
      const accepted = isV2 && answer.paid !== undefined;
      answer = { ...corrupt(fault, answer, p), ...(accepted ? {} : { charge: 0, paid: undefined }) };
      if (accepted) settle(answer, p.prompt);
      if (fault.kind === 'bad-json' || fault.kind === 'truncate') {
        const text = JSON.stringify(answer.body);
        if (fault.kind === 'bad-json') {
          const broken = text.slice(0, Math.floor(text.length / 2)) + '}';
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(broken)) });
          res.end(broken);
        } else {
          res.writeHead(200, { 'content-type': 'application/json', 'content-length': String(Buffer.byteLength(text)) });
          res.write(text.slice(0, Math.floor(text.length / 2)), () => res.socket?.destroy());
        }
        logLine(200, note);
        return;
      }
    }
    settle(answer, p.prompt);
    writeJson(res, answer);
    logLine(answer.status, note);
  }

  function route(method: string, url: URL, headers: http.IncomingHttpHeaders, body: string, requestId: string): Answer {
    const path = url.pathname;
    if (path.startsWith('/v2/')) return v2.route(method, url, headers, body, requestId);
    if (path !== '/v1/inferences' && path !== '/v1/inferences/credits') {
      return { status: 404, body: { detail: 'Not Found' } };
    }
    if (headers['x-rd-token'] !== token) {
      return { status: 401, body: { detail: { code: 'invalid_token', message: 'Invalid or missing X-RD-Token header' } } };
    }
    if (path === '/v1/inferences/credits') {
      if (method !== 'GET') return { status: 405, body: { detail: 'Method Not Allowed' } };
      return { status: 200, body: dialect === 'seed' ? { credits: balance } : { credits: 0, balance } };
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
    return inference(checked, requestId);
  }

  function inference(a: AcceptedPayload, requestId: string): Answer {
    const price = priceOf(a, dialect);
    const created = Math.floor(Date.now() / 1000);
    const model = `RDModel.${a.payload.model ?? 'RD_FLUX'}`;
    const shape = (images: string[], remaining: number) => dialect === 'seed'
      ? { created_at: created, credit_cost: price, base64_images: images, model, type: a.payload.input_image ? 'img2img' : 'txt2img', remaining_credits: remaining }
      : { created_at: created, balance_cost: price, base64_images: images, model, remaining_balance: remaining };
    if (a.payload.check_cost) return { status: 200, body: shape([], balance) };
    if (balance < price) {
      return dialect === 'seed'
        ? { status: 400, body: { detail: { code: 'not_enough_credits', message: `Not enough credits: this request costs ${price} credits and you have ${balance}` } } }
        : { status: 402, body: { error: { code: 'not_enough_balance', message: `Not enough balance: this request costs $${price} and you have $${balance}`, request_id: requestId, details: null } } };
    }
    const images = renderAnswer(a.payload).map((img) => Buffer.from(img.bytes).toString('base64'));
    return { status: 200, body: shape(images, Math.round((balance - price) * 1e6) / 1e6), charge: price };
  }

  function immediateFault(fault: FaultRule, requestId: string): Answer | 'reset' | 'timeout' | undefined {
    switch (fault.kind) {
      case 'reset': return 'reset';
      case 'timeout': return 'timeout';
      case '429': {
        const headers: Record<string, string> = {};
        if (typeof fault.retryAfter === 'number') headers['retry-after'] = String(fault.retryAfter);
        else if (fault.retryAfter) headers['retry-after'] = new Date(Date.now() + fault.retryAfter.date * 1000).toUTCString();
        return { status: 429, headers, body: { detail: { code: 'rate_limited', message: 'Too many requests' } } };
      }
      case '500': return { status: 500, body: { detail: { code: 'internal_error', message: 'Internal server error; you were not charged' } } };
      case '502': return { status: 502, body: '<html><body><h1>502 Bad Gateway</h1></body></html>', headers: { 'content-type': 'text/html' } };
      case '503': return { status: 503, body: '<html><body><h1>503 Service Temporarily Unavailable</h1></body></html>', headers: { 'content-type': 'text/html' } };
      case '504': return { status: 504, body: '<html><body><h1>504 Gateway Time-out</h1></body></html>', headers: { 'content-type': 'text/html' } };
      case '401': return { status: 401, body: { detail: { code: 'invalid_token', message: 'Invalid or missing X-RD-Token header' } } };
      case '402': return { status: 402, body: { error: { code: 'not_enough_balance', message: 'Not enough balance', request_id: requestId, details: null } } };
      case '422': return { status: 422, body: { detail: [{ loc: ['body', 'prompt'], msg: 'Field required', type: 'missing' }] } };
      default: return undefined;
    }
  }

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  selfUrl = `http://${host}:${address.port}`;

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    received,
    requestCount: (path?: string) => (path === undefined ? received.length : received.filter((r) => r.path === path).length),
    setFaults: (f) => plan.set(f),
    setTaskMs: (ms) => v2.setTaskMs(ms),
    ledger,
    setCredits: (n) => {
      balance = n;
    },
    get credits() {
      return balance;
    },
    get maxInFlight() {
      return maxInFlight;
    },
    get connections() {
      return sockets.size;
    },
    close: () => new Promise<void>((resolve) => {
      for (const s of sockets) s.destroy();
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

function isRefusal(v: AcceptedPayload | Refusal): v is Refusal {
  return 'status' in v;
}

/** The answer-spoiling faults: the request was fine, the answer is not. */
function corrupt(fault: FaultRule, answer: Answer, p: Record<string, unknown>): Answer {
  const body = { ...(answer.body as Record<string, unknown>) };
  const images = Array.isArray(body.base64_images) ? (body.base64_images as string[]) : undefined;
  switch (fault.kind) {
    case 'bad-base64':
      if (images) body.base64_images = images.map(() => 'iVBORw0KGgo!!not*base64!!');
      break;
    case 'wrong-count':
      if (images) body.base64_images = images.length > 1 ? images.slice(1) : [...images, ...images];
      break;
    case 'wrong-size':
      if (images) {
        const w = typeof p.width === 'number' ? p.width : 64;
        const h = typeof p.height === 'number' ? p.height : 64;
        body.base64_images = images.map(() => Buffer.from(wrongSizePng(w, h)).toString('base64'));
      }
      break;
    default:
      break;
  }
  return { ...answer, body };
}

function writeJson(res: http.ServerResponse, answer: Answer): void {
  const text = Buffer.isBuffer(answer.body) ? answer.body : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    ...answer.headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}

function readBody(req: http.IncomingMessage): Promise<string> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_REQUEST_BYTES) {
        reject(new Error('request body too large'));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    req.on('error', reject);
  });
}
