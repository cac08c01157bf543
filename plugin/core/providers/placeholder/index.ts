import { findStyle } from '../../catalog.js';
import type { ApiPayload } from '../../payload.js';
import type { Cost, GeneratedImage, GenerationResult, Provider } from '../provider.js';
import { renderAll } from './render.js';
import { modelFor } from './style.js';

export const PLACEHOLDER_ID = 'placeholder';
/** Part of every cache key: bump it whenever the drawings change, so stale art is redrawn. */
export const PLACEHOLDER_VERSION = '1';

const FREE: Cost = Object.freeze({ amount: 0, unit: 'credits' }) as Cost;

/** The placeholder's drawing, without the provider around it (the API emulator serves these). */
export function renderPlaceholder(payload: ApiPayload): GeneratedImage[] {
  return renderAll(payload, PLACEHOLDER_VERSION);
}

/**
 * Offline provider: deterministic procedural pixel art that honours every field of the request.
 * It costs nothing and answers like the API (model, type), so the pipeline treats it the same.
 */
export function createPlaceholderProvider(): Provider {
  return {
    id: PLACEHOLDER_ID,
    version: PLACEHOLDER_VERSION,
    async generate(payload: ApiPayload, ctx?): Promise<GenerationResult> {
      ctx?.signal?.throwIfAborted();
      const images = renderPlaceholder(payload);
      return {
        images,
        cost: { ...FREE },
        model: modelFor(payload.prompt_style ? findStyle(payload.prompt_style) : undefined),
        type: payload.input_image ? 'img2img' : 'txt2img',
        // Metadata only: the image bytes never depend on the clock.
        createdAt: Math.floor(Date.now() / 1000),
      };
    },
    async estimateCost(): Promise<Cost> {
      return { ...FREE };
    },
    knownPrice(): Cost {
      return { ...FREE };
    },
  };
}
