import { RetroSpritesError } from '../../errors.js';
import type { RemoteBackend } from './backend.js';
import { RemoteCache, type RemoteCacheOptions } from './remote-cache.js';
import { S3Backend } from './s3.js';
import { TurboBackend } from './turbo.js';

export const REMOTE_ENV = 'RETRO_SPRITES_REMOTE';

function isLoopback(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127(\.\d{1,3}){3}$/.test(h);
}

/**
 * The remote cache a URL names: `s3://bucket/prefix` (any S3-compatible store) or `https://…`
 * (the Turborepo remote cache API; `http://` for loopback only). `from` says where the URL was
 * given, in the user's words (`--remote`, the `remoteCache` option), for the error.
 */
export function openRemoteCache(opts: {
  url?: string;
  from?: string;
  env: NodeJS.ProcessEnv;
  options?: RemoteCacheOptions;
}): RemoteCache | undefined {
  const raw = opts.url ?? (opts.env[REMOTE_ENV] || undefined);
  if (!raw) return undefined;
  const from = opts.url !== undefined ? (opts.from ?? 'remoteCache') : REMOTE_ENV;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new RetroSpritesError('bad-remote', `${from}: "${raw.replace(/\/\/[^/@]*@/, '//…@')}" is not a URL; use s3://bucket/prefix or https://your-turborepo-cache`);
  }
  const shown = `${url.protocol}//${url.host}${url.pathname}`;
  if (url.username || url.password) {
    throw new RetroSpritesError(
      'bad-remote',
      `${from}: credentials in the remote cache URL are refused (${shown}); put them in the environment (AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY, or TURBO_TOKEN)`,
    );
  }
  let backend: RemoteBackend;
  if (url.protocol === 's3:') backend = new S3Backend(url, opts.env);
  else if (url.protocol === 'https:' || (url.protocol === 'http:' && isLoopback(url.hostname))) backend = new TurboBackend(url, opts.env);
  else if (url.protocol === 'http:') {
    throw new RetroSpritesError('bad-remote', `${from}: ${shown} is plain http to another machine, which would send TURBO_TOKEN in the clear; use https:// (http:// is accepted for loopback addresses only)`);
  } else {
    throw new RetroSpritesError('bad-remote', `${from}: ${shown} is neither s3:// nor https://; use s3://bucket/prefix or https://your-turborepo-cache`);
  }
  return new RemoteCache(backend, opts.options);
}
