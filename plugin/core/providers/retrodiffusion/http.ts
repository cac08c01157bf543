import http from 'node:http';
import https from 'node:https';
import { ApiError } from './api-error.js';

export interface HttpRequest {
  method: 'GET' | 'POST';
  url: URL;
  headers: Record<string, string>;
  body?: string;
  timeoutMs: number;
  signal?: AbortSignal;
  agent?: http.Agent;
  /** Refuse answers larger than this many bytes (a runaway or hostile server). */
  maxBodyBytes: number;
}

export interface HttpResponse {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
}

/**
 * One HTTP exchange over a real socket. Transport failures become retryable `ApiError`s
 * (`network`, `timeout`, `truncated-response`); an abort from the caller becomes a non-retryable
 * `aborted`. Whatever ends the exchange early destroys the request, so its socket is closed and
 * never returned to the agent's pool half-read.
 */
export function send(req: HttpRequest): Promise<HttpResponse> {
  return new Promise((resolve, reject) => {
    if (req.signal?.aborted) {
      reject(abortError(req.signal));
      return;
    }
    const lib = req.url.protocol === 'https:' ? https : http;
    let settled = false;
    const headers: Record<string, string> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = String(Buffer.byteLength(req.body));

    const outgoing = lib.request(req.url, { method: req.method, headers, agent: req.agent });

    const finish = (err: ApiError | undefined, res?: HttpResponse) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onAbort);
      if (err) {
        outgoing.destroy();
        reject(err);
      } else resolve(res!);
    };

    // One timer for the whole exchange: a server that sends headers then stalls is as stuck as one
    // that never answers.
    const timer = setTimeout(() => {
      finish(new ApiError('timeout', `no answer within ${Math.round(req.timeoutMs / 1000)}s`, { retryable: true }));
    }, req.timeoutMs);
    const onAbort = () => finish(abortError(req.signal!));
    req.signal?.addEventListener('abort', onAbort, { once: true });

    outgoing.on('error', (err: NodeJS.ErrnoException) => finish(transportError(err)));
    outgoing.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      const expected = Number(res.headers['content-length']);
      res.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > req.maxBodyBytes) {
          finish(new ApiError('bad-response', `the answer is larger than ${req.maxBodyBytes} bytes; refusing it`, { status: res.statusCode }));
          return;
        }
        chunks.push(chunk);
      });
      res.on('error', () => finish(truncated(size, expected, res.statusCode)));
      res.on('aborted', () => finish(truncated(size, expected, res.statusCode)));
      res.on('close', () => {
        if (!res.complete) finish(truncated(size, expected, res.statusCode));
      });
      res.on('end', () => {
        if (!res.complete || (Number.isFinite(expected) && size < expected)) {
          finish(truncated(size, expected, res.statusCode));
          return;
        }
        finish(undefined, { status: res.statusCode ?? 0, headers: res.headers, body: Buffer.concat(chunks) });
      });
    });
    if (req.body !== undefined) outgoing.end(req.body);
    else outgoing.end();
  });
}

function truncated(got: number, expected: number, status: number | undefined): ApiError {
  const of = Number.isFinite(expected) ? ` of ${expected}` : '';
  return new ApiError('truncated-response', `the answer was cut off after ${got}${of} bytes`, { retryable: true, status });
}

function transportError(err: NodeJS.ErrnoException): ApiError {
  const code = err.code ?? '';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new ApiError('network', `cannot resolve the API host (${code})`, { retryable: code === 'EAI_AGAIN' });
  }
  if (code === 'ECONNREFUSED') {
    return new ApiError('network', 'connection refused (is RD_API_URL right, and is the server running?)', { retryable: true });
  }
  // ECONNRESET, EPIPE, "socket hang up", ETIMEDOUT from the OS: the exchange died, asking again may work.
  return new ApiError('network', `connection failed: ${err.message}${code && !err.message.includes(code) ? ` (${code})` : ''}`, { retryable: true });
}

function abortError(signal: AbortSignal): ApiError {
  const reason = signal.reason as unknown;
  const why = reason instanceof Error ? reason.message : 'aborted';
  return new ApiError('aborted', `request cancelled: ${why}`, { retryable: false, cause: reason });
}
