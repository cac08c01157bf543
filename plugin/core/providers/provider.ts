import type { SourceLocation } from '../location.js';
import type { ApiPayload } from '../payload.js';

/** One image of an answer, exactly the bytes received. */
export interface GeneratedImage {
  format: 'png' | 'gif';
  bytes: Uint8Array;
  width: number;
  height: number;
}

export type CostUnit = 'credits' | 'usd';

export interface Cost {
  amount: number;
  unit: CostUnit;
}

/** What a provider answers for one request: the images and the answer's metadata. */
export interface GenerationResult {
  images: GeneratedImage[];
  cost: Cost;
  /** e.g. `RDModel.RD_FLUX`. */
  model?: string;
  /** e.g. `txt2img`. */
  type?: string;
  /** Unix seconds, from the answer. */
  createdAt: number;
  /** What the account has left after this request, when the answer says. */
  remaining?: Cost;
}

export interface GenerateContext {
  signal?: AbortSignal;
  /** Where the sprite was declared, for error messages. */
  source?: SourceLocation;
  /** Sprite name, for error messages and logs. */
  sprite?: string;
  /** The request's cache key: a provider that can resume paid work (v2 tasks) names it by this. */
  key?: string;
  /** Folder where such a provider records pending paid work until the entry lands (the cache's `.pending/`). */
  journalDir?: string;
  /**
   * Why this submission is not the first for its key, e.g. `refresh:<sha256 of the art replaced>`:
   * it must not be answered with the earlier task.
   */
  intent?: string;
  /**
   * The run was interrupted. A provider that can pick paid work up later (v2) stops waiting and
   * keeps what it needs to resume; one that cannot (v1) ignores it and finishes what it paid for.
   */
  interrupt?: AbortSignal;
}

/**
 * Something that turns a payload into images. Its `id` and `version` are part of every cache key,
 * so art from the placeholder never stands in for art from the API, and a provider whose output
 * changes bumps its version.
 */
export interface Provider {
  readonly id: string;
  readonly version: string;
  generate(payload: ApiPayload, ctx?: GenerateContext): Promise<GenerationResult>;
  /** The price of a request without generating it. */
  estimateCost(payload: ApiPayload, ctx?: GenerateContext): Promise<Cost>;
  /** The price when it is known here, without a request (a free provider, a published formula); else undefined. */
  knownPrice?(payload: ApiPayload): Cost | undefined;
  /** Release sockets and timers. */
  close?(): Promise<void>;
}
