import type { AtlasOptions } from '../core/phaser/atlas.js';
import type { ApiTuning } from '../core/providers/select.js';

/** Options of `retroSprites()`; every one has a default, so `retroSprites()` alone works. */
export interface RetroSpritesOptions extends AtlasOptions {
  /** Folder the manifest glob and the cache folder are relative to. Default: Vite's `root`. */
  root?: string;
  /** Manifest files, fast-glob pattern(s) relative to the Vite root. Default `manifests/**\/*.{yaml,yml}`. */
  manifests?: string | string[];
  /** The cache folder (commit it). Default `manifests/.retro-cache`. */
  cacheDir?: string;
  /** `retrodiffusion` or `placeholder`. Default: `retrodiffusion` when RD_API_KEY is set, else `placeholder`. */
  provider?: 'retrodiffusion' | 'placeholder';
  /**
   * The API token, if it cannot come from the RD_API_KEY environment variable (preferred: a key in
   * vite.config.ts is easy to commit by mistake). Never reaches the bundle.
   */
  apiKey?: string;
  /** Stop before spending more than this (credits, or USD with the newer API). */
  maxCost?: number;
  /** Fail on a sprite missing from the cache instead of generating it. Default: on in CI with the real API. */
  frozen?: boolean;
  /** Requests in flight at once. Default 4. */
  concurrency?: number;
  /**
   * API client tuning: `timeoutMs` per request (default 120000), `maxAttempts` (5), `maxRetryTimeMs`
   * (300000), `requestsPerMinute` (unlimited), shared by every request of the process; `exactCost`
   * (false) asks the API's `check_cost` for every price instead of using the published formulas.
   */
  api?: ApiTuning;
  /**
   * A shared cache behind the local one: `s3://bucket/prefix` (credentials from the AWS_* variables)
   * or `https://…` speaking the Turborepo remote cache API (TURBO_TOKEN, TURBO_TEAM). Default: the
   * RETRO_SPRITES_REMOTE environment variable, else none.
   */
  remoteCache?: string;
  /** Accept `prompt_style` values the built-in catalog does not know yet. */
  allowUnknownStyles?: boolean;
  /** Where to write the typed declarations of `virtual:retro-sprites`, relative to the root; `false` to skip. Default `retro-sprites.d.ts`. */
  dts?: string | false;
}
