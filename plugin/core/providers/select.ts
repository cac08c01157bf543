import { RetroSpritesError } from '../errors.js';
import type { ApiPayload } from '../payload.js';
import { createPlaceholderProvider, PLACEHOLDER_ID, renderPlaceholder } from './placeholder/index.js';
import type { GeneratedImage, Provider } from './provider.js';
import { API_VERSIONS, DEFAULT_API_URL, RETRODIFFUSION_ID, createRetroDiffusionProvider, type ApiVersion, type RetroDiffusionOptions } from './retrodiffusion/index.js';

/** What a project may tune of the API client; each has a sensible default in the client. */
export type ApiTuning = Pick<RetroDiffusionOptions, 'timeoutMs' | 'maxAttempts' | 'maxRetryTimeMs' | 'requestsPerMinute' | 'retry' | 'version' | 'poll' | 'exactCost'>;

/**
 * The API version: the `api.version` option (or `--api`) first, then `RD_API_VERSION`, else v1.
 * `where` names the option in the words of the face that set it.
 */
export function apiVersion(option: string | undefined, env: NodeJS.ProcessEnv, where = 'api.version'): ApiVersion {
  const fromEnv = nonEmpty(env.RD_API_VERSION);
  const value = option ?? fromEnv ?? 'v1';
  if (!(API_VERSIONS as readonly string[]).includes(value)) {
    const who = option !== undefined ? where : 'RD_API_VERSION';
    throw new RetroSpritesError('bad-option', `${who} must be "v1" or "v2" (got ${JSON.stringify(value)})`);
  }
  return value as ApiVersion;
}

/** Art drawn at once for a request while its provider works on it (the dev server's first load). */
export type StandIn = (payload: ApiPayload) => GeneratedImage[];

export interface ProviderChoice {
  provider: Provider;
  /** For a provider that takes time (and money): offline art to show meanwhile. */
  standIn?: StandIn;
  /** One line to show the user when the choice was made for them (no key: offline art). */
  notice?: string;
}

export const PROVIDER_NAMES = [RETRODIFFUSION_ID, PLACEHOLDER_ID] as const;

/**
 * Chooses the provider: `--provider` when given; else `retrodiffusion` when an API key is set,
 * else `placeholder` with a notice. The key comes from `RD_API_KEY` first, the `apiKey` option
 * second; the base URL from the option, then `RD_API_URL`. Asking for `retrodiffusion` without a
 * key fails here, before any request.
 */
export function selectProvider(opts: {
  provider?: string;
  apiKey?: string;
  env: NodeJS.ProcessEnv;
  baseUrl?: string;
  concurrency?: number;
  log?: (line: string) => void;
  /** Manifest paths in API errors are shown relative to this folder. */
  root?: string;
  /** Timeouts, retries and rate limit of the API client. */
  api?: ApiTuning;
}): ProviderChoice {
  const key = nonEmpty(opts.env.RD_API_KEY) ?? nonEmpty(opts.apiKey);
  const name = opts.provider ?? (key ? RETRODIFFUSION_ID : PLACEHOLDER_ID);
  if (name === PLACEHOLDER_ID) {
    const provider = createPlaceholderProvider();
    return opts.provider
      ? { provider }
      : { provider, notice: 'RD_API_KEY is not set: drawing offline placeholder art (set RD_API_KEY to generate with RetroDiffusion)' };
  }
  if (name !== RETRODIFFUSION_ID) {
    throw new RetroSpritesError('unknown-provider', `unknown provider "${name}"; use one of: ${PROVIDER_NAMES.join(', ')}`);
  }
  if (!key) {
    throw new RetroSpritesError(
      'missing-key',
      'provider retrodiffusion needs an API key: set RD_API_KEY (get one at https://www.retrodiffusion.ai/app/devtools),',
      { advice: { vite: "or set the plugin option `provider: 'placeholder'`", cli: 'or use --provider placeholder' } },
    );
  }
  const provider = createRetroDiffusionProvider({
    apiKey: key,
    baseUrl: opts.baseUrl ?? nonEmpty(opts.env.RD_API_URL) ?? DEFAULT_API_URL,
    ...(opts.concurrency !== undefined ? { concurrency: opts.concurrency } : {}),
    ...(opts.log ? { log: opts.log } : {}),
    ...(opts.root ? { root: opts.root } : {}),
    ...opts.api,
    version: apiVersion(opts.api?.version, opts.env),
    // Every request on its own line is noise in a build log; retries and failures always show.
    logRequests: Boolean(opts.env.RETRO_SPRITES_DEBUG),
  });
  return { provider, standIn: renderPlaceholder };
}

function nonEmpty(v: string | undefined): string | undefined {
  return v && v.trim() ? v.trim() : undefined;
}
