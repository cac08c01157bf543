import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { encodePng } from '../../../plugin/core/image/png.js';
import type { ApiPayload } from '../../../plugin/core/payload.js';
import type { GeneratedImage } from '../../../plugin/core/providers/provider.js';
import type { GenerationRequest, SpriteOptions } from '../../../plugin/core/request.js';
import { tinyGif } from './tiny-gif.js';

export function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const PALETTE: [number, number, number][] = [[34, 32, 52], [69, 40, 60], [102, 57, 49], [143, 86, 59], [223, 113, 38], [217, 160, 102], [238, 195, 154], [251, 242, 54], [153, 229, 80], [106, 190, 48], [55, 148, 110], [75, 105, 47]];

/** A w x h sprite of palette colours inside a transparent border of `border` pixels (per side). */
export function pixelArt(w: number, h: number, seed: number, border: { l: number; t: number; r: number; b: number } = { l: 0, t: 0, r: 0, b: 0 }): RgbaImage {
  const r = seeded(seed);
  const data = new Uint8Array(w * h * 4);
  for (let y = border.t; y < h - border.b; y++) {
    for (let x = border.l; x < w - border.r; x++) {
      const c = PALETTE[Math.floor(r() * PALETTE.length)]!;
      // Holes are (0,0,0,0), as a GIF gives them back.
      if (r() >= 0.1) data.set([c[0], c[1], c[2], 255], (y * w + x) * 4);
    }
  }
  // Keep the corners of the content opaque so trimming lands exactly on the border.
  for (const [x, y] of [[border.l, border.t], [w - border.r - 1, h - border.b - 1]] as const) {
    if (x >= 0 && y >= 0 && x < w && y < h && x >= border.l && y >= border.t) data.set([...PALETTE[0]!, 255], (y * w + x) * 4);
  }
  return { width: w, height: h, data };
}

export function pngImage(image: RgbaImage): GeneratedImage {
  return { format: 'png', bytes: encodePng(image), width: image.width, height: image.height };
}

export function gifImage(frames: { image: RgbaImage; delayCs: number }[]): GeneratedImage {
  return { format: 'gif', bytes: tinyGif(frames), width: frames[0]!.image.width, height: frames[0]!.image.height };
}

export function request(
  sprite: string,
  payload: Partial<ApiPayload> = {},
  options: Partial<SpriteOptions> = {},
  atlas = 'sprites',
): GenerationRequest {
  return {
    sprite,
    atlas,
    payload: { prompt: sprite, width: 32, height: 32, num_images: 1, ...payload },
    options: { animate: false, repeat: -1, ...options },
    source: { file: '/project/manifests/sprites.yaml', line: 3, column: 3 },
    fieldSources: {},
    dependencies: [],
  };
}
