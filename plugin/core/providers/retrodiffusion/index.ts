import http from 'node:http';
import https from 'node:https';
import { formatLocation } from '../../location.js';
import type { ApiPayload } from '../../payload.js';
import type { Cost, CostUnit, GenerateContext, GenerationResult, Provider } from '../provider.js';
import { ApiError, isNotEnoughCredits, isRetryableStatus, parseErrorBody, type ErrorBody } from './api-error.js';
import { formatCost, parseJson, readBalances, readCost, readGeneration } from './answer.js';
import { send, type HttpResponse } from './http.js';
import { limiterFor } from './limiter.js';
import { knownPrice } from './price.js';
import { MIN_KEY_LENGTH, redact, redactingLog } from './redact.js';
import { AttemptFailed, DEFAULT_RETRY, parseRetryAfter, withRetry, type RetryPolicy } from './retry.js';
import { KEY_PAGE, header, statusError } from './status-error.js';
import { v2StatusError } from './v2/errors.js';
import { V2_CREDITS, V2_INFERENCES, generateV2, type V2Answer } from './v2/generate.js';
import { DEFAULT_POLL, type PollPolicy } from './v2/tasks.js';

export { ApiError } from './api-error.js';
export { formatCost } from './answer.js';
export type { RetryPolicy } from './retry.js';
export type { PollPolicy } from './v2/tasks.js';

export const RETRODIFFUSION_ID = 'retrodiffusion';
/** Part of every cache key: bump when what this client stores for a payload changes. */
export const RETRODIFFUSION_VERSION = '1';
export const DEFAULT_API_URL = 'https://api.retrodiffusion.ai';

/** Which API the client speaks: v1 (synchronous, the seed) or v2 (tasks, Idempotency-Key). */
export type ApiVersion = 'v1' | 'v2';
export const API_VERSIONS: readonly ApiVersion[] = ['v1', 'v2'];
const TOP_UP_PAGE = 'https://www.retrodiffusion.ai/app/payment-methods';

export interface RetroDiffusionOptions {
  /** The token sent as `X-RD-Token`. Prefer the `RD_API_KEY` environment variable to passing it here. */
  apiKey: string;
  /** Default `DEFAULT_API_URL`; point it at `retro-sprites emulate` to work offline. */
  baseUrl?: string;
  /** Per attempt, the whole exchange. A generation can take a minute: default 120000. */
  timeoutMs?: number;
  /** Attempts in all for one request (default 5). */
  maxAttempts?: number;
  /** No retry starts later than this after the first attempt (default 300000). */
  maxRetryTimeMs?: number;
  /** Requests in flight at once, for the whole process and this base URL (default 4). */
  concurrency?: number;
  /** Requests started per minute, for the whole process and this base URL (default unlimited). */
  requestsPerMinute?: number;
  /** One line per retry and per failed request; the key never appears in it. */
  log?: (line: string) => void;
  /** Also one line per request (method, path, sprite, status, ms): for debugging, off by default. */
  logRequests?: boolean;
  /** Fine-tuning of backoff (tests make the delays small). */
  retry?: Partial<RetryPolicy>;
  /** Manifest paths in messages are shown relative to this folder (default the current one). */
  root?: string;
  /** Largest answer accepted, in bytes (default 64 MiB). */
  maxBodyBytes?: number;
  /**
   * Ask `check_cost` for every price, even where the catalog's formula gives it here (default
   * false: a known price costs no round trip; see price.ts for which are known).
   */
  exactCost?: boolean;
  /** `v1` (default) or `v2`: tasks under an Idempotency-Key, so a lost answer is never paid twice. */
  version?: ApiVersion;
  /** v2 task polling (waits and how long to wait in all). */
  poll?: Partial<PollPolicy>;
}

export type RetroDiffusionProvider = Provider & {
  /** What the account has left: credits, or the USD balance when credits are spent. */
  credits(): Promise<Cost>;
  /** Everything the credits endpoint reports (credits and, with the newer API, the USD balance). */
  balances(): Promise<Cost[]>;
};

type CallResult = V2Answer;

export function createRetroDiffusionProvider(opts: RetroDiffusionOptions): RetroDiffusionProvider {
  const key = opts.apiKey;
  if (!key || !key.trim()) {
    throw new ApiError('missing-key', `the retrodiffusion provider needs an API key: set RD_API_KEY (get one at ${KEY_PAGE}),`, {
      advice: { vite: "or set the plugin option `provider: 'placeholder'`", cli: 'or use --provider placeholder' },
    });
  }
  if (key.trim().length < MIN_KEY_LENGTH) {
    // A key this short is a typo or a stand-in, and could not be told apart from words in a log.
    throw new ApiError(
      'short-key',
      `RD_API_KEY is ${key.trim().length} character${key.trim().length === 1 ? '' : 's'} long; a RetroDiffusion key has at least ${MIN_KEY_LENGTH}. ` +
        `Copy the whole key from ${KEY_PAGE} into RD_API_KEY, or unset it to draw offline placeholder art`,
    );
  }
  let base: URL;
  try {
    base = new URL(opts.baseUrl ?? DEFAULT_API_URL);
  } catch {
    throw new ApiError('bad-url', `RD_API_URL is not a URL: ${redact(String(opts.baseUrl), key)}`);
  }
  if (base.protocol !== 'http:' && base.protocol !== 'https:') {
    throw new ApiError('bad-url', `RD_API_URL must start with http:// or https:// (got ${redact(base.protocol, key)})`);
  }
  const baseText = base.href.replace(/\/+$/, '');
  const log = redactingLog(opts.log, key);
  const agent = base.protocol === 'https:' ? new https.Agent({ keepAlive: true }) : new http.Agent({ keepAlive: true });
  const limiter = limiterFor(baseText, { concurrency: opts.concurrency ?? 4, requestsPerMinute: opts.requestsPerMinute });
  const policy: RetryPolicy = {
    ...DEFAULT_RETRY,
    ...opts.retry,
    ...(opts.maxAttempts !== undefined ? { maxAttempts: opts.maxAttempts } : {}),
    ...(opts.maxRetryTimeMs !== undefined ? { maxRetryTimeMs: opts.maxRetryTimeMs } : {}),
  };
  const timeoutMs = opts.timeoutMs ?? 120_000;
  const maxBodyBytes = opts.maxBodyBytes ?? 64 * 1024 * 1024;
  const root = opts.root ?? process.cwd();
  const version: ApiVersion = opts.version ?? 'v1';
  const INFERENCES = version === 'v2' ? V2_INFERENCES : '/v1/inferences';
  const CREDITS = version === 'v2' ? V2_CREDITS : '/v1/inferences/credits';
  const poll: PollPolicy = { ...DEFAULT_POLL, ...opts.poll };

  async function call(
    method: 'GET' | 'POST',
    path: string,
    body: string | undefined,
    label: string,
    signal: AbortSignal | undefined,
    read: (json: Record<string, unknown>) => void = () => {},
    retry: RetryPolicy = policy,
    extraHeaders: Record<string, string> = {},
  ): Promise<CallResult> {
    const url = new URL(baseText + path);
    const headers: Record<string, string> = { 'x-rd-token': key, accept: 'application/json', 'user-agent': 'retro-sprites', ...extraHeaders };
    if (body !== undefined) headers['content-type'] = 'application/json';
    return withRetry(
      (attempt) => limiter.run(async () => {
        const started = Date.now();
        let res: HttpResponse;
        try {
          res = await send({ method, url, headers, body, timeoutMs, signal, agent, maxBodyBytes });
        } catch (err) {
          // A cancelled request is the caller's decision, not news.
          if (!signal?.aborted) log(`retrodiffusion: ${method} ${path} ${label} failed in ${Date.now() - started} ms: ${(err as Error).message}`);
          throw err;
        }
        if (opts.logRequests) log(`retrodiffusion: ${method} ${path} ${label} -> ${res.status} in ${Date.now() - started} ms${attempt > 1 ? ` (attempt ${attempt})` : ''}`);
        const requestId = header(res, 'x-request-id') ?? header(res, 'x-rd-request-id');
        if (res.status >= 200 && res.status < 300) {
          const json = parseJson(res.body);
          read(json);
          const retryAfterMs = parseRetryAfter(res.headers['retry-after']);
          return { json, status: res.status, ...(requestId ? { requestId } : {}), ...(retryAfterMs !== undefined ? { retryAfterMs } : {}) };
        }
        // Redacted before any excerpt is cut from it: a cut through the key would leave a prefix
        // that no longer matches it.
        const toError = version === 'v2' ? v2StatusError : statusError;
        const err = toError(res.status, parseErrorBody(redact(res.body.toString('utf8'), key)), requestId && redact(requestId, key));
        if (err.retryable) {
          throw new AttemptFailed({ error: err, retryAfterMs: parseRetryAfter(res.headers['retry-after']) });
        }
        throw err;
      }, signal),
      retry,
      {
        signal,
        onRetry: (n, delay, error, why) =>
          log(`retrodiffusion: ${method} ${path} ${label}: ${error.message}; retry ${n + 1}/${retry.maxAttempts} in ${delay} ms (${why})`),
      },
    );
  }

  /** Puts the sprite and its manifest location in front of a message, and scrubs the key. */
  function inContext(err: unknown, ctx: GenerateContext | undefined): unknown {
    if (!(err instanceof ApiError)) return err;
    const where = ctx?.source ? `${formatLocation(ctx.source, root)}: ` : '';
    const who = ctx?.sprite ? `sprite "${ctx.sprite}": ` : '';
    return new ApiError(err.code, redact(`${where}${who}${err.message}`, key), {
      status: err.status,
      requestId: err.requestId && redact(err.requestId, key),
      retryable: err.retryable,
      apiCode: err.apiCode,
    });
  }

  /** Best effort, no retries: the account's balance and the request's price for the message. */
  async function explainShortfall(err: ApiError, payload: ApiPayload | undefined, signal?: AbortSignal): Promise<ApiError> {
    const quick: RetryPolicy = { ...policy, maxAttempts: 1 };
    let price: string | undefined;
    let left: string | undefined;
    try {
      if (payload) {
        const { json } = await call('POST', INFERENCES, JSON.stringify({ ...payload, check_cost: true }), 'check_cost', signal, undefined, quick);
        price = formatCost(readCost(json).cost);
      }
    } catch { /* the refusal itself is still worth reporting */ }
    try {
      const { json } = await call('GET', CREDITS, undefined, '', signal, undefined, quick);
      left = readBalances(json).map(formatCost).join(' and ');
    } catch { /* as above */ }
    const facts = [price && `it costs ${price}`, left && `the account has ${left} left`].filter(Boolean).join(' and ');
    const message = `not enough credits${facts ? `: ${facts}` : ''} (${err.message}). Top up at ${TOP_UP_PAGE}, or generate fewer or smaller images`;
    return new ApiError(err.code, message, { status: err.status, requestId: err.requestId, apiCode: err.apiCode });
  }

  function label(payload: ApiPayload, ctx?: GenerateContext): string {
    const style = payload.prompt_style ?? 'no style';
    return `${ctx?.sprite ? ctx.sprite + ' ' : ''}(${style} ${payload.width}x${payload.height} x${payload.num_images})`;
  }

  // Known prices are in USD: they apply only to an account billed in USD. What it is billed in is
  // learned from a paid answer when there has been one, else asked once (one GET for the process,
  // not one check_cost per kind of request); when that fails, check_cost answers and says why.
  let billedIn: CostUnit | undefined;
  let askingBilling: Promise<CostUnit | undefined> | undefined;
  const accountUnit = async (): Promise<CostUnit | undefined> =>
    billedIn ??
    (await (askingBilling ??= balances().then(
      (all) => (billedIn = all.some((c) => c.unit === 'usd') ? 'usd' : 'credits'),
      () => undefined,
    )));

  async function balances(): Promise<Cost[]> {
    try {
      const { json } = await call('GET', CREDITS, undefined, '', undefined, readBalances);
      return readBalances(json);
    } catch (err) {
      throw inContext(err, undefined);
    }
  }

  /** An output URL from an answer: http(s) only, bounded, and never with the API key. */
  async function download(href: string, signal: AbortSignal | undefined): Promise<Buffer> {
    let url: URL;
    try {
      url = new URL(href);
    } catch {
      throw new ApiError('bad-response', `malformed answer: output URL ${JSON.stringify(href.slice(0, 80))} is not a URL`);
    }
    // An answer is untrusted: plain http only back to the API's own origin (the emulator), else https.
    if (url.protocol !== 'https:' && !(url.protocol === 'http:' && url.origin === base.origin)) {
      throw new ApiError('bad-response', `malformed answer: output URL must be https (got ${url.protocol})`);
    }
    return withRetry(async () => {
      const res = await send({ method: 'GET', url, headers: { 'user-agent': 'retro-sprites' }, timeoutMs, signal, maxBodyBytes, ...(url.origin === base.origin ? { agent } : {}) });
      if (res.status !== 200) {
        const err = new ApiError(res.status >= 500 ? 'server-error' : 'bad-response', `output download ${url.pathname} answered HTTP ${res.status}`, { status: res.status, retryable: res.status >= 500 });
        throw err;
      }
      return res.body;
    }, policy, { signal });
  }

  const v2Transport = {
    call: (method: 'GET' | 'POST', path: string, body: string | undefined, lbl: string, signal: AbortSignal | undefined,
      extra: { headers?: Record<string, string>; retry?: RetryPolicy } = {}) =>
      call(method, path, body, lbl, signal, undefined, extra.retry ?? policy, extra.headers ?? {}),
    download,
    log,
  };

  return {
    id: RETRODIFFUSION_ID,
    version: RETRODIFFUSION_VERSION,

    async generate(payload: ApiPayload, ctx?: GenerateContext): Promise<GenerationResult> {
      let result: GenerationResult | undefined;
      if (version === 'v2') {
        // Never falls back to v1: a paid v2 request that failed may still be running (V2_MIGRATION.md).
        try {
          const answer = await generateV2(payload, ctx, { transport: v2Transport, identity: { id: RETRODIFFUSION_ID, version: RETRODIFFUSION_VERSION }, poll, label: label(payload, ctx) });
          billedIn ??= answer.cost.unit;
          return answer;
        } catch (err) {
          if (err instanceof ApiError && err.code === 'not-enough-credits') {
            throw inContext(await explainShortfall(err, payload, ctx?.signal), ctx);
          }
          throw inContext(err, ctx);
        }
      }
      try {
        await call('POST', INFERENCES, JSON.stringify(payload), label(payload, ctx), ctx?.signal, (json) => {
          result = readGeneration(json, payload);
        });
        billedIn ??= result!.cost.unit;
      } catch (err) {
        if (err instanceof ApiError && err.code === 'not-enough-credits') {
          throw inContext(await explainShortfall(err, payload, ctx?.signal), ctx);
        }
        throw inContext(err, ctx);
      }
      return result!;
    },

    knownPrice(payload: ApiPayload): Cost | undefined {
      return !opts.exactCost && billedIn === 'usd' ? knownPrice(payload) : undefined;
    },

    async estimateCost(payload: ApiPayload, ctx?: GenerateContext): Promise<Cost> {
      const local = opts.exactCost ? undefined : knownPrice(payload);
      if (local && (await accountUnit()) === 'usd') return local;
      try {
        const { json } = await call('POST', INFERENCES, JSON.stringify({ ...payload, check_cost: true }), `${label(payload, ctx)} check_cost`, ctx?.signal, readCost);
        return readCost(json).cost;
      } catch (err) {
        throw inContext(err, ctx);
      }
    },

    balances,

    async credits(): Promise<Cost> {
      const all = await balances();
      const credits = all.find((c) => c.unit === 'credits');
      const usd = all.find((c) => c.unit === 'usd');
      // The newer API reports credits 0 beside the USD balance that is actually spent.
      if (usd && (!credits || credits.amount === 0)) return usd;
      return credits ?? usd!;
    },

    async close(): Promise<void> {
      agent.destroy();
    },
  };
}
