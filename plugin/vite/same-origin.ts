import { randomBytes, timingSafeEqual } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';

/** The header the dev page sends its token in: a custom header makes every request preflighted. */
export const TOKEN_HEADER = 'x-retro-sprites-token';

/** A fresh secret per dev server; the dev page embeds it, no other origin can read it. */
export function newDevToken(): string {
  return randomBytes(24).toString('base64url');
}

/** Why a state-changing request is refused, or undefined when it may go ahead. */
export interface Refusal {
  status: 403 | 415;
  message: string;
}

/**
 * Any page the developer visits can send requests to localhost: a form post or a "simple" fetch
 * needs no preflight, and Vite's CORS default trusts every localhost origin. So a request that
 * changes state (spends credits, edits a manifest) must prove it comes from the dev page itself:
 * - its `Origin` (and `Sec-Fetch-Site`, where the browser sends it) says same origin; a foreign or
 *   `null` origin is refused, and so is a browser request without one;
 * - its body is declared `application/json`, which no form and no simple request can send;
 * - it carries the server's token in a custom header, which only the dev page knows.
 * Vite's host check (before this middleware) stops DNS rebinding, where a foreign page would look
 * same-origin.
 */
export function refuseForeign(req: IncomingMessage, token: string): Refusal | undefined {
  const origin = header(req, 'origin');
  const site = header(req, 'sec-fetch-site');
  const host = header(req, 'host');
  const browser = site !== undefined || header(req, 'sec-fetch-mode') !== undefined;
  if (origin !== undefined) {
    if (origin === 'null') return forbidden('a request from an opaque (null) origin');
    let from: URL;
    try {
      from = new URL(origin);
    } catch {
      return forbidden(`a request with a malformed Origin`);
    }
    if (!host || from.host !== host.toLowerCase()) return forbidden(`a request from another origin (${from.origin})`);
  } else if (browser) {
    return forbidden('a browser request without an Origin');
  }
  if (site !== undefined && site !== 'same-origin') return forbidden(`a ${site} request`);
  const type = (header(req, 'content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json') {
    return { status: 415, message: `retro-sprites: this endpoint takes application/json, not ${type ? JSON.stringify(type) : 'a body without a type'}` };
  }
  const sent = header(req, TOKEN_HEADER);
  if (!sent || !sameSecret(sent, token)) {
    return forbidden(`a request without the dev page's ${TOKEN_HEADER} header`);
  }
  return undefined;
}

/**
 * Vite's CORS middleware runs before ours and trusts any localhost origin by default: strip what
 * it set, so no other page (another dev server on another port, say) can read the dev page, its
 * token or the state.
 */
export function dropCors(res: ServerResponse): void {
  for (const name of res.getHeaderNames()) if (name.startsWith('access-control-')) res.removeHeader(name);
}

function forbidden(what: string): Refusal {
  return { status: 403, message: `retro-sprites: refused ${what}; use the buttons of the dev page (/__retro-sprites/)` };
}

function header(req: IncomingMessage, name: string): string | undefined {
  const v = req.headers[name];
  return Array.isArray(v) ? v[0] : v;
}

function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
