import { createImage } from '../core/image/bitmap.js';
import { decodePng, encodePng } from '../core/image/png.js';
import type { ApiPayload } from '../core/payload.js';
import type { GeneratedImage } from '../core/providers/provider.js';
import { renderPlaceholder } from '../core/providers/placeholder/index.js';

/**
 * The factor of the API's "regular size" answer, which the emulator applies when a request does
 * not ask for native resolution (`upscale_output_factor` absent or null). The real factor is not
 * published; any integer works, since the client reduces integer multiples to native size.
 */
export const REGULAR_SIZE_FACTOR = 2;

/**
 * Added to the seed before drawing, so the emulator's art is a different variant from the offline
 * placeholder's for the same request: when the dev server swaps stand-in art for the API's answer,
 * the swap is visible against the emulator too.
 */
export const EMULATOR_SEED_SALT = 7919;

/**
 * Answers drawn while their request waits out the emulator's latency (`drawAhead`), so drawing
 * (a few ms a request, one request after another on the server's thread) is not added on top of
 * the latency it was asked to have: the real API's latency already includes making the image.
 * By the payload's JSON; each is taken once; a handful at most. Shared by the emulators of one
 * process on purpose: the art is a function of the payload alone.
 */
const drawnAhead = new Map<string, GeneratedImage[]>();
const MAX_DRAWN_AHEAD = 64;

/** Draws a request's answer now, for `renderAnswer` to hand out when its latency is over. */
export function drawAhead(payload: ApiPayload): void {
  const id = JSON.stringify(payload);
  if (drawnAhead.has(id)) return;
  try {
    drawnAhead.set(id, draw(payload));
  } catch {
    return; // a payload the API will refuse: route() says so, after the latency, as before
  }
  if (drawnAhead.size > MAX_DRAWN_AHEAD) drawnAhead.delete(drawnAhead.keys().next().value!);
}

/** The images of an answer: the placeholder's art (another variant), upscaled like the API's regular size. */
export function renderAnswer(payload: ApiPayload): GeneratedImage[] {
  const id = JSON.stringify(payload);
  const ahead = drawnAhead.get(id);
  if (ahead) {
    drawnAhead.delete(id);
    return ahead;
  }
  return draw(payload);
}

function draw(payload: ApiPayload): GeneratedImage[] {
  const images = renderPlaceholder({ ...payload, seed: ((payload.seed ?? 0) + EMULATOR_SEED_SALT) % 2 ** 31 });
  // An explicit factor is already applied by the placeholder; only "regular size" (absent or null) is ours.
  if (payload.upscale_output_factor !== undefined && payload.upscale_output_factor !== null) return images;
  const factor = REGULAR_SIZE_FACTOR;
  // Animations answer at their native 48x48 (the seed); only still images and sheets grow.
  return images.map((img) => (img.format === 'png' ? upscale(img, factor) : img));
}

function upscale(img: GeneratedImage, k: number): GeneratedImage {
  const src = decodePng(img.bytes);
  const out = createImage(src.width * k, src.height * k);
  for (let y = 0; y < out.height; y++) {
    for (let x = 0; x < out.width; x++) {
      const s = (Math.floor(y / k) * src.width + Math.floor(x / k)) * 4;
      out.data.set(src.data.subarray(s, s + 4), (y * out.width + x) * 4);
    }
  }
  return { format: 'png', bytes: encodePng(out), width: out.width, height: out.height };
}

/** A PNG of the wrong size (one pixel wider than asked), for the `wrong-size` fault. */
export function wrongSizePng(width: number, height: number): Uint8Array {
  const img = createImage(width + 1, height);
  img.data.fill(255);
  return encodePng(img);
}
