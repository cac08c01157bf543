import { ApiError, type ErrorBody } from '../api-error.js';
import { statusError } from '../status-error.js';

/**
 * v2 answers every refusal in one envelope, `{"error": {code, message, request_id, details?}}`
 * (contracts/v2/error-codes.json), and says which codes are worth retrying. We branch on the code
 * where the status alone would mislead, and otherwise keep v1's typed errors, so a caller sees the
 * same `ApiError` codes whichever version it spoke.
 */
const RETRYABLE_CODES = new Set([
  'rate_limited', 'internal_error', 'inference_failed', 'upstream_failure', 'service_unavailable',
  'durable_dispatch_unavailable', 'request_timeout',
]);

export function v2StatusError(status: number, body: ErrorBody, headerRequestId: string | undefined): ApiError {
  const requestId = body.requestId ?? headerRequestId;
  const said = body.message ? `: ${body.message}` : '';
  const rid = requestId ? `, request id ${requestId}` : '';
  const init = { status, requestId, apiCode: body.apiCode };
  switch (body.apiCode) {
    case 'idempotency_conflict':
      return new ApiError('idempotency-conflict',
        `the API already holds another request under this sprite's Idempotency-Key (HTTP 409${said}${rid}); ` +
        'the same sprite was sent with different bytes (input images encoded differently on another machine?). ' +
        'Wait for that request to land in the cache, or change the sprite (its seed) to ask for new art', init);
    case 'invalid_idempotency_key':
    case 'idempotency_async_required':
      return new ApiError('invalid-request', `the API refused our Idempotency-Key (HTTP ${status}${said}${rid}); this is a bug in retro-sprites, please report it`, init);
    case 'idempotency_backend_unavailable':
      // Documented as not retryable: without it the API cannot promise one charge per key.
      return new ApiError('idempotency-unavailable', `the API cannot check idempotency right now (HTTP ${status}${said}${rid}); nothing was sent twice. Try again later`, { ...init, retryable: false });
    case 'style_not_found':
      return new ApiError('invalid-request', `the API does not know this prompt_style (HTTP ${status}${said}${rid})`, init);
    case 'payment_debt_outstanding':
      return new ApiError('not-enough-credits', `HTTP ${status}${said}${rid}`, init);
    default:
      break;
  }
  const base = statusError(status, body, headerRequestId);
  if (body.apiCode && RETRYABLE_CODES.has(body.apiCode) && !base.retryable) {
    return new ApiError(base.code, base.message, { ...init, retryable: true });
  }
  return base;
}

/** A task the API ran and gave up on. It answered HTTP 200, but there is no art: never an empty result. */
export function taskFailedError(taskId: string, error: Record<string, unknown> | undefined): ApiError {
  const code = str(error?.code);
  // llms.txt shows `{status_code, detail}`; the OpenAPI `{status_code, code, message, request_id}`.
  const message = str(error?.message) ?? str(error?.detail);
  const requestId = str(error?.request_id) ?? taskId;
  const said = [code, message].filter(Boolean).join(': ');
  return new ApiError('task-failed', `the API's task ${taskId} failed${said ? ` (${said})` : ''}, request id ${requestId}; a failed task is refunded`, {
    requestId,
    apiCode: code,
    status: typeof error?.status_code === 'number' ? error.status_code : undefined,
    retryable: code !== undefined && RETRYABLE_CODES.has(code),
  });
}

function str(v: unknown): string | undefined {
  return typeof v === 'string' && v.length > 0 ? v.slice(0, 500) : undefined;
}
