/**
 * Fault injection for the emulator: what can go wrong between us and the real API, made to
 * happen on purpose and deterministically (a seeded generator decides the rate-based faults).
 *
 * Spec string (CLI `--faults`, or `setFaults('…')`): comma-separated rules, each
 *
 *     KIND[:PARAM][*COUNT | @RATE]
 *
 * - `*COUNT`: the next COUNT matching requests (default `*1` when neither is given);
 * - `@RATE`: each matching request with probability RATE (0..1), forever;
 * - PARAM: `latency:MS` (delay, then answer normally); `429:SECONDS` adds `Retry-After: SECONDS`,
 *   `429:dateSECONDS` adds it as an HTTP date SECONDS ahead; `429` alone has no Retry-After.
 *
 * Kinds: latency, 429, 500, 502, 503, 504, reset (drop the connection), timeout (never answer),
 * truncate (cut the body in half), bad-json, bad-base64, wrong-count, wrong-size, 401, 402, 422,
 * drop-after-accept (take the request and the money, then drop the connection without an answer),
 * task-failed (v2: accept the task, which then fails and is refunded, as `X-RD-Fail-Inference: true`).
 * Faults apply to `POST /v1/inferences` and `POST /v2/inferences` unless a rule names another
 * `path` (options only).
 * Example: `--faults "429:1*2,500@0.1,latency:200@0.5"`.
 */
import type { Answer } from './api.js';
import { wrongSizePng } from './images.js';

export const FAULT_KINDS = [
  'latency', '429', '500', '502', '503', '504', 'reset', 'timeout', 'truncate', 'bad-json', 'bad-base64',
  'wrong-count', 'wrong-size', '401', '402', '422', 'drop-after-accept', 'task-failed',
] as const;

export type FaultKind = (typeof FAULT_KINDS)[number];

export interface FaultRule {
  kind: FaultKind;
  /** Fire on the next `times` matching requests (default 1 unless `rate` is given). */
  times?: number;
  /** Fire on each matching request with this probability, without end. */
  rate?: number;
  /** Milliseconds, for `latency`. */
  ms?: number;
  /** For `429`: seconds, sent as `Retry-After: N`, or `{ date: N }` sent as an HTTP date N s ahead. */
  retryAfter?: number | { date: number };
  /** Request path the rule applies to (default both inference paths); `*` for every path. */
  path?: string;
}

export class FaultSpecError extends Error {}

export function parseFaultSpec(spec: string): FaultRule[] {
  const rules: FaultRule[] = [];
  for (const raw of spec.split(',')) {
    const part = raw.trim();
    if (!part) continue;
    const m = /^([a-z0-9-]+)(?::([a-z0-9.]+))?(?:\*(\d+)|@([0-9.]+))?$/i.exec(part);
    if (!m) throw new FaultSpecError(`cannot read fault "${part}" (expected KIND[:PARAM][*COUNT|@RATE])`);
    const kind = m[1]!.toLowerCase() as FaultKind;
    if (!FAULT_KINDS.includes(kind)) {
      throw new FaultSpecError(`unknown fault "${m[1]}" (known: ${FAULT_KINDS.join(', ')})`);
    }
    const rule: FaultRule = { kind };
    const param = m[2];
    if (param !== undefined) {
      if (kind === 'latency' && /^\d+$/.test(param)) rule.ms = Number(param);
      else if (kind === '429' && /^\d+$/.test(param)) rule.retryAfter = Number(param);
      else if (kind === '429' && /^date\d+$/.test(param)) rule.retryAfter = { date: Number(param.slice(4)) };
      else throw new FaultSpecError(`fault "${part}": parameter "${param}" does not apply to ${kind}`);
    }
    if (m[3] !== undefined) rule.times = Number(m[3]);
    if (m[4] !== undefined) {
      const rate = Number(m[4]);
      if (!(rate >= 0 && rate <= 1)) throw new FaultSpecError(`fault "${part}": rate must be between 0 and 1`);
      rule.rate = rate;
    }
    rules.push(rule);
  }
  return rules;
}

/** mulberry32: tiny, seedable, good enough to pick which requests fail. */
export function seededRandom(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

interface LiveRule extends FaultRule {
  left: number;
}

/** The rules in force, consumed as requests arrive. */
export class FaultPlan {
  private rules: LiveRule[] = [];
  constructor(private readonly random: () => number) {}

  set(rules: FaultRule[] | string | undefined): void {
    const list = typeof rules === 'string' ? parseFaultSpec(rules) : (rules ?? []);
    this.rules = list.map((r) => ({ ...r, left: r.rate !== undefined ? Infinity : (r.times ?? 1) }));
  }

  /** The faults that fire for this request: every latency that applies, then at most one failure. */
  take(path: string): { latencyMs: number; fault?: FaultRule } {
    let latencyMs = 0;
    let fault: FaultRule | undefined;
    for (const rule of this.rules) {
      if (rule.left <= 0) continue;
      const matches = rule.path === undefined ? path === '/v1/inferences' || path === '/v2/inferences' : rule.path === '*' || rule.path === path;
      if (!matches) continue;
      if (rule.kind !== 'latency' && fault) continue;
      if (rule.rate !== undefined && this.random() >= rule.rate) continue;
      rule.left--;
      if (rule.kind === 'latency') latencyMs += rule.ms ?? 100;
      else fault = rule;
    }
    return fault ? { latencyMs, fault } : { latencyMs };
  }
}

/** A fault that answers in place of the API (or drops the connection, or never answers). */
export function immediateFault(fault: FaultRule, requestId: string): Answer | 'reset' | 'timeout' | undefined {
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

/** The answer-spoiling faults: the request was fine, the answer is not. */
export function corrupt(fault: FaultRule, answer: Answer, p: Record<string, unknown>): Answer {
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
