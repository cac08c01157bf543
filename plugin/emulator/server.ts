import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../core/net/read-body.js';
import type { ApiPayload } from '../core/payload.js';
import { EmulatorApi, type Answer, type Dialect } from './api.js';
import { drawAhead } from './images.js';
import { corrupt, FaultPlan, immediateFault, seededRandom, type FaultRule } from './faults.js';
import { EmulatorV2, fromV1Refusal, type LedgerCharge } from './v2.js';

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
  dialect?: Dialect;
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

const MAX_REQUEST_BYTES = 32 * 1024 * 1024;

/**
 * The server around the API: sockets, the request log, latency and faults, and the handle a test
 * or the CLI holds. What each route answers is `EmulatorApi`'s business.
 */
export async function startEmulator(opts: EmulatorOptions = {}): Promise<Emulator> {
  const token = opts.token ?? DEFAULT_EMULATOR_TOKEN;
  const dialect = opts.dialect ?? 'seed';
  const plan = new FaultPlan(seededRandom(opts.seed ?? 1));
  plan.set(opts.faults);
  const api = new EmulatorApi(token, dialect, opts.credits ?? DEFAULT_EMULATOR_CREDITS);
  const received: RecordedRequest[] = [];
  const sockets = new Set<Socket>();
  let inFlight = 0;
  let maxInFlight = 0;
  let serial = 0;
  const ledger: LedgerCharge[] = [];
  let selfUrl = '';
  const v2 = new EmulatorV2({ token, dialect, taskMs: opts.taskMs ?? 1000, balance: () => api.balance, baseUrl: () => selfUrl });
  /** Takes the money for an answer that is going out (or was accepted and then lost), and bills it. */
  const settle = (answer: Answer & { paid?: LedgerCharge }, prompt: unknown) => {
    if (answer.status !== 200) return;
    if (answer.charge) api.charge(answer.charge);
    const paid = answer.paid ?? (answer.charge ? { requestId: '', api: 'v1' as const, prompt: String(prompt), amount: answer.charge } : undefined);
    if (paid) {
      ledger.push(paid);
      opts.onCharge?.(paid);
    }
  };
  const route = (method: string, url: URL, headers: http.IncomingHttpHeaders, body: string, requestId: string): Answer & { paid?: LedgerCharge } =>
    url.pathname.startsWith('/v2/') ? v2.route(method, url, headers, body, requestId) : api.route(method, url.pathname, headers, body, requestId);

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
    const body = await readBody(req, MAX_REQUEST_BYTES);
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
    if (delay > 0 && !fault && req.method === 'POST' && (path === '/v1/inferences' || path === '/v2/inferences') && !p.check_cost) {
      drawAhead(p as unknown as ApiPayload);
    }
    if (delay > 0) await new Promise((r) => setTimeout(r, Math.max(0, delay - (Date.now() - started))));
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
      // On v2 paths every refusal is in v2's envelope, with its X-Request-ID.
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
      api.balance = n;
    },
    get credits() {
      return api.balance;
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

function writeJson(res: http.ServerResponse, answer: Answer): void {
  const text = Buffer.isBuffer(answer.body) ? answer.body : typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    ...answer.headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
