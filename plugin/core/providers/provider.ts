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
