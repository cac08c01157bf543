import { RetroSpritesError, type Advice, type ErrorCode } from '../../errors.js';

export interface ApiErrorInit {
  status?: number;
  requestId?: string;
  retryable?: boolean;
  /** The API's own error code (`not_enough_balance`, …), when it sent one. */
  apiCode?: string;
  cause?: unknown;
  /** What to do, when it names a setting (plugin option in Vite, flag in the CLI). */
  advice?: Advice;
}

/**
 * Anything that went wrong talking to the RetroDiffusion API: a refusal, a transport failure or an
 * answer we could not trust. The message is for a person and never holds the API key.
 */
export class ApiError extends RetroSpritesError {
  readonly status?: number;
  readonly requestId?: string;
  readonly retryable: boolean;
  readonly apiCode?: string;
  constructor(code: ErrorCode, message: string, init: ApiErrorInit = {}) {
    super(code, message, { cause: init.cause, advice: init.advice });
    this.name = 'ApiError';
    this.status = init.status;
    this.requestId = init.requestId;
    this.retryable = init.retryable ?? false;
    this.apiCode = init.apiCode;
  }
}

/** What an error body said, whichever of the API's shapes it used. */
export interface ErrorBody {
  message?: string;
  apiCode?: string;
  requestId?: string;
}

/**
 * Reads the three error shapes the API is known to use:
 * `{detail: {code, message}}` and `{detail: [{msg}]}` (v1, FastAPI) and
 * `{error: {code, message, request_id, details}}` (v2). Anything else (an HTML page from a proxy,
 * plain text) becomes a short excerpt of the text.
 */
export function parseErrorBody(text: string): ErrorBody {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    const excerpt = text.replace(/<[^>]*>/g, ' ').replace(/\s+/g, ' ').trim().slice(0, 200);
    return excerpt ? { message: excerpt } : {};
  }
  if (!json || typeof json !== 'object') return { message: String(json).slice(0, 200) };
  const obj = json as Record<string, unknown>;
  const detail = obj.detail;
  if (typeof detail === 'string') return { message: detail };
  if (Array.isArray(detail)) {
    const msgs = detail.map((d) => {
      if (!d || typeof d !== 'object') return String(d);
      const item = d as Record<string, unknown>;
      const loc = Array.isArray(item.loc) ? item.loc.filter((p) => p !== 'body').join('.') : '';
      const msg = typeof item.msg === 'string' ? item.msg : JSON.stringify(item);
      return loc ? `${loc}: ${msg}` : msg;
    });
    return { message: msgs.join('; ') };
  }
  if (detail && typeof detail === 'object') {
    const d = detail as Record<string, unknown>;
    return { message: str(d.message) ?? str(d.msg), apiCode: str(d.code), requestId: str(d.request_id) };
  }
  const error = obj.error;
  if (error && typeof error === 'object') {
    const e = error as Record<string, unknown>;
    let message = str(e.message);
    if (e.details !== undefined && e.details !== null) {
      const details = typeof e.details === 'string' ? e.details : JSON.stringify(e.details);
      message = message ? `${message} (${details.slice(0, 300)})` : details.slice(0, 300);
    }
    return { message, apiCode: str(e.code), requestId: str(e.request_id) };
  }
  if (typeof error === 'string') return { message: error };
  if (typeof obj.message === 'string') return { message: obj.message };
  return { message: text.slice(0, 200) };
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v : undefined;
}

/** Whether a refusal is about money: 402, or a 400 whose text talks about credits or balance. */
export function isNotEnoughCredits(status: number, body: ErrorBody): boolean {
  if (status === 402) return true;
  if (status !== 400) return false;
  const text = `${body.apiCode ?? ''} ${body.message ?? ''}`.toLowerCase();
  return /(credit|balance)/.test(text) && /(not[ _]enough|insufficient|no (more )?credits|out of)/.test(text);
}

/** Statuses worth asking again: rate limiting and the server's own failures. */
export function isRetryableStatus(status: number): boolean {
  return status === 429 || status === 500 || status === 502 || status === 503 || status === 504;
}
