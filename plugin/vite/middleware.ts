import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Connect } from 'vite';
import { readBody } from '../core/net/read-body.js';
import { reseedSprite } from '../core/reseed.js';
import type { SpriteSession } from '../core/session.js';
import { devPageHtml } from './dev-page.js';
import { dropCors, newDevToken, refuseForeign } from './same-origin.js';
import { handleVariants } from './variants-api.js';

export const DEV_PREFIX = '__retro-sprites';

const TYPES: Record<string, string> = {
  png: 'image/png',
  gif: 'image/gif',
  json: 'application/json; charset=utf-8',
};

function send(res: ServerResponse, status: number, type: string, body: string | Uint8Array, cache = 'no-store'): void {
  res.statusCode = status;
  res.setHeader('content-type', type);
  res.setHeader('cache-control', cache);
  res.setHeader('x-content-type-options', 'nosniff');
  res.end(body);
}

/** The dev page sends a sprite name and a mode: anything larger is not from it. */
const MAX_BODY_BYTES = 64 * 1024;

export interface DevMiddlewareOptions {
  base: string;
  session: SpriteSession;
  /** Files of every snapshot served so far, by (content-hashed) name. */
  served: Map<string, Uint8Array>;
  root: string;
  /** Generate these keys again (the dev page's "Regenerate" button). */
  regenerate: (keys: ReadonlySet<string>) => void;
  /** The secret the dev page sends with every state-changing request (default: a fresh one). */
  token?: string;
}

/**
 * Serves the art from memory under `<base>__retro-sprites/`: the files Phaser loads, the cached
 * images the dev page shows, and the dev page itself. It only ever answers names it holds in
 * memory, so no request can reach another file on disk.
 */
export function devMiddleware(opts: DevMiddlewareOptions): Connect.NextHandleFunction {
  const prefix = `${opts.base}${DEV_PREFIX}/`;
  const token = opts.token ?? newDevToken();
  return (req, res, next) => {
    const url = new URL(req.url ?? '/', 'http://localhost');
    if (url.pathname === `${opts.base}${DEV_PREFIX}`) {
      res.statusCode = 302;
      res.setHeader('location', prefix);
      res.end();
      return;
    }
    if (!url.pathname.startsWith(prefix)) return next();
    let rest: string;
    try {
      rest = decodeURIComponent(url.pathname.slice(prefix.length));
    } catch {
      // A malformed escape (`%E0%A4%A`) would otherwise throw into Vite's error page, stack and all.
      return send(res, 400, 'text/plain; charset=utf-8', 'retro-sprites: malformed URL');
    }
    handle(rest, req, res, opts, token).catch((err: Error) => send(res, 500, 'text/plain; charset=utf-8', `retro-sprites: ${err.message}`));
  };
}

async function handle(rest: string, req: IncomingMessage, res: ServerResponse, opts: DevMiddlewareOptions, token: string): Promise<void> {
  const { session } = opts;
  if (rest === '' || rest === 'index.html' || rest.startsWith('api/')) dropCors(res);
  if (rest === '' || rest === 'index.html') {
    // After a start from kept atlases the sprites' answers are still being read: the page shows them.
    await session.warmed();
    const error = session.current ? undefined : 'The manifests have errors; see the terminal or the overlay.';
    // The page holds the token and buttons that spend: no other site may frame it.
    res.setHeader('x-frame-options', 'DENY');
    res.setHeader('content-security-policy', "frame-ancestors 'none'");
    return send(res, 200, 'text/html; charset=utf-8', devPageHtml(session.spriteStates(), opts.root, error, (key) => Boolean(session.imagesFor(key)?.length), token));
  }
  if (rest.startsWith('files/')) {
    const name = rest.slice('files/'.length);
    // pack.json changes on every update; everything else is named by its content.
    const bytes = name === 'pack.json' ? session.current?.files.find((f) => f.kind === 'pack')?.bytes : opts.served.get(name);
    if (!bytes) return send(res, 404, 'text/plain; charset=utf-8', `retro-sprites: no file ${name}`);
    const ext = name.split('.').pop() ?? '';
    return send(res, 200, TYPES[ext] ?? 'application/octet-stream', bytes, name === 'pack.json' ? 'no-store' : 'max-age=31536000, immutable');
  }
  const entry = /^entry\/([0-9a-f]{64})\/(\d+)$/.exec(rest);
  if (entry) {
    await session.warmed();
    const image = session.imagesFor(entry[1]!)?.[Number(entry[2])];
    if (!image) return send(res, 404, 'text/plain; charset=utf-8', 'retro-sprites: not generated yet');
    return send(res, 200, TYPES[image.format]!, image.bytes);
  }
  if (rest === 'api/state') {
    const states = session.spriteStates().map((s) => ({
      sprite: `${s.request.atlas}/${s.request.sprite}`,
      key: s.request.key,
      status: s.status,
      error: s.error,
      standIn: s.standIn,
    }));
    return send(res, 200, TYPES.json!, JSON.stringify(states));
  }
  if (rest === 'api/regenerate') {
    if (req.method !== 'POST') {
      res.setHeader('allow', 'POST');
      return send(res, 405, 'text/plain; charset=utf-8', 'retro-sprites: api/regenerate takes POST');
    }
    const refusal = refuseForeign(req, token);
    if (refusal) {
      req.resume();
      return send(res, refusal.status, 'text/plain; charset=utf-8', refusal.message);
    }
    let body: { sprite?: unknown; mode?: unknown };
    try {
      body = JSON.parse(await readBody(req, MAX_BODY_BYTES)) as typeof body;
    } catch (err) {
      return send(res, 400, 'text/plain; charset=utf-8', `retro-sprites: bad request: ${(err as Error).message}`);
    }
    // The page sends {sprite: "atlas/name", mode}; anything else is a client's mistake, not ours (500).
    if (!body || typeof body !== 'object' || typeof body.sprite !== 'string') {
      return send(res, 400, 'text/plain; charset=utf-8', 'retro-sprites: bad request: expected {"sprite": "atlas/name", "mode": "refresh" | "new-seed"}');
    }
    const state = session.spriteStates().find((s) => `${s.request.atlas}/${s.request.sprite}` === body.sprite);
    if (!state) return send(res, 404, 'text/plain; charset=utf-8', `retro-sprites: no sprite ${body.sprite}`);
    if (body.mode === 'new-seed') {
      // The manifest edit reaches the watcher like any other edit; the refresh is asked for too,
      // so the sprite is "generating" from this answer on, whatever the watcher's latency.
      const seed = await reseedSprite(state.request);
      session.markGenerating(body.sprite);
      opts.regenerate(new Set());
      return send(res, 200, TYPES.json!, JSON.stringify({ seed }));
    }
    session.markGenerating(body.sprite);
    opts.regenerate(new Set([state.request.key]));
    return send(res, 202, TYPES.json!, JSON.stringify({ key: state.request.key }));
  }
  if (rest.startsWith('api/variants/') && req.method === 'POST') {
    // Variants spend and edit manifests too: the same proof of origin as api/regenerate.
    const refusal = refuseForeign(req, token);
    if (refusal) {
      req.resume();
      return send(res, refusal.status, 'text/plain; charset=utf-8', refusal.message);
    }
  }
  if (await handleVariants(rest, req, res, session)) return;
  return send(res, 404, 'text/plain; charset=utf-8', `retro-sprites: nothing at ${rest}`);
}
