import http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { readBody } from '../core/net/read-body.js';
import { EmulatorApi, type Answer, type Dialect } from './api.js';
import { corrupt, FaultPlan, immediateFault, seededRandom, type FaultRule } from './faults.js';

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
    const path = new URL(req.url ?? '/', 'http://emulator').pathname;
    let json: unknown;
    try {
      json = body ? JSON.parse(body) : undefined;
    } catch { /* recorded as raw text only */ }
    received.push({ method: req.method ?? '', path, headers: { ...req.headers }, body, ...(json !== undefined ? { json } : {}) });

    const p = json && typeof json === 'object' ? (json as Record<string, unknown>) : {};
    const what = path === '/v1/inferences'
      ? ` ${typeof p.prompt_style === 'string' ? p.prompt_style : 'no-style'} ${String(p.width)}x${String(p.height)}${p.check_cost ? ' check_cost' : ''}`
      : '';
    const logLine = (status: number | string, note = '') =>
      opts.log?.(`emulator: ${req.method} ${path}${what} -> ${status} ${Date.now() - started}ms${note}`);

    const { latencyMs, fault } = plan.take(path);
    const delay = latencyMs + (opts.latencyMs ?? 0);
    if (delay > 0) await new Promise((r) => setTimeout(r, delay));
    const note = fault ? ` [fault ${fault.kind}]` : '';

    if (fault) {
      const immediate = immediateFault(fault, requestId);
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

    let answer = api.route(req.method ?? 'GET', path, req.headers, body, requestId);
    if (fault && answer.status === 200) {
      answer = { ...corrupt(fault, answer, p), charge: 0 };
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
    if (answer.status === 200 && answer.charge) api.charge(answer.charge);
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

  return {
    url: `http://${host}:${address.port}`,
    port: address.port,
    received,
    requestCount: (path?: string) => (path === undefined ? received.length : received.filter((r) => r.path === path).length),
    setFaults: (f) => plan.set(f),
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
  const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
  res.writeHead(answer.status, {
    'content-type': 'application/json',
    ...answer.headers,
    'content-length': String(Buffer.byteLength(text)),
  });
  res.end(text);
}
