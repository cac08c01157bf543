import { ApiError, isNotEnoughCredits, isRetryableStatus, type ErrorBody } from './api-error.js';
import type { HttpResponse } from './http.js';

export const KEY_PAGE = 'https://www.retrodiffusion.ai/app/devtools';

export function header(res: HttpResponse, name: string): string | undefined {
  const v = res.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

/** Turns a refusal into an error a person can act on. */
export function statusError(status: number, body: ErrorBody, headerRequestId: string | undefined): ApiError {
  const requestId = body.requestId ?? headerRequestId;
  const said = body.message ? `: ${body.message}` : '';
  const rid = requestId ? `, request id ${requestId}` : '';
  const init = { status, requestId, apiCode: body.apiCode };
  if (status === 401 || status === 403) {
    return new ApiError('unauthorized', `RD_API_KEY was rejected (HTTP ${status}${said}${rid}). Check the key at ${KEY_PAGE} and set RD_API_KEY again, or unset it to use the offline placeholder provider`, init);
  }
  if (isNotEnoughCredits(status, body)) {
    return new ApiError('not-enough-credits', `HTTP ${status}${said}${rid}`, init);
  }
  if (status === 400 || status === 422) {
    return new ApiError('invalid-request', `the API refused the request (HTTP ${status}${said}${rid})`, init);
  }
  if (status === 404) {
    return new ApiError('not-found', `the API answered 404 Not Found${said}${rid}; is RD_API_URL right?`, init);
  }
  if (status === 429) {
    return new ApiError('rate-limited', `the API is rate limiting us (HTTP 429${said}${rid})`, { ...init, retryable: true });
  }
  if (isRetryableStatus(status)) {
    return new ApiError('server-error', `the API failed (HTTP ${status}${said}${rid})`, { ...init, retryable: true });
  }
  return new ApiError('http-error', `the API answered HTTP ${status}${said}${rid}`, init);
}
