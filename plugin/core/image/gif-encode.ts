import * as gifencModule from 'gifenc';
import type { GifPalette } from 'gifenc';
import { RetroSpritesError } from '../errors.js';
import type { RgbaImage } from './bitmap.js';

/** Alpha below this is fully transparent in the GIF (GIF has one-bit transparency). */
export const GIF_ALPHA_CUTOFF = 128;

// gifenc ships CommonJS and ESM builds: Node's loader puts the functions on the default export
// (module.exports), bundlers expose them as named exports (and default = GIFEncoder). Take either.
const gifenc = (typeof (gifencModule as { GIFEncoder?: unknown }).GIFEncoder === 'function'
  ? gifencModule
  : (gifencModule as unknown as { default: typeof gifencModule }).default) as typeof gifencModule;

/**
 * An animated GIF with one global palette: index 0 is the transparent colour, the rest are the
 * frames' exact colours when there are at most 255 of them (placeholder art always is), otherwise a
 * deterministic quantization. Each frame is cleared before the next, so transparency animates.
 */
export function encodeGif(frames: RgbaImage[], opts: { delayMs: number | number[]; loop?: boolean }): Uint8Array {
  const first = frames[0];
  if (!first) throw new RetroSpritesError('bad-image', 'cannot encode a GIF with no frames');
  for (const f of frames) {
    if (f.width !== first.width || f.height !== first.height) {
      throw new RetroSpritesError('bad-image', `GIF frames must share one size: ${first.width}x${first.height} vs ${f.width}x${f.height}`);
    }
  }
  const colours = paletteOf(frames);
  const palette: GifPalette = [[0, 0, 0], ...colours.list];
  const gif = gifenc.GIFEncoder();
  frames.forEach((frame, n) => {
    const index = new Uint8Array(frame.width * frame.height);
    for (let p = 0; p < index.length; p++) {
      const i = p * 4;
      if (frame.data[i + 3]! < GIF_ALPHA_CUTOFF) continue;
      index[p] = colours.indexOf(frame.data[i]!, frame.data[i + 1]!, frame.data[i + 2]!);
    }
    const delay = Array.isArray(opts.delayMs) ? (opts.delayMs[n] ?? opts.delayMs[opts.delayMs.length - 1] ?? 100) : opts.delayMs;
    gif.writeFrame(index, frame.width, frame.height, {
      palette: n === 0 ? palette : undefined,
      transparent: true,
      transparentIndex: 0,
      delay,
      repeat: opts.loop === false ? -1 : 0,
      dispose: 2,
    });
  });
  gif.finish();
  return gif.bytes();
}

function paletteOf(frames: RgbaImage[]): { list: number[][]; indexOf(r: number, g: number, b: number): number } {
  const exact = new Map<number, number>();
  const list: number[][] = [];
  let overflow = false;
  for (const f of frames) {
    for (let i = 0; i < f.data.length && !overflow; i += 4) {
      if (f.data[i + 3]! < GIF_ALPHA_CUTOFF) continue;
      const key = (f.data[i]! << 16) | (f.data[i + 1]! << 8) | f.data[i + 2]!;
      if (exact.has(key)) continue;
      if (list.length === 255) {
        overflow = true;
        break;
      }
      exact.set(key, list.length + 1);
      list.push([f.data[i]!, f.data[i + 1]!, f.data[i + 2]!]);
    }
  }
  if (!overflow) return { list, indexOf: (r, g, b) => exact.get((r << 16) | (g << 8) | b) ?? 1 };
  // Too many colours: quantize all frames together to 255 and map each pixel to its nearest.
  const all = new Uint8Array(frames.reduce((n, f) => n + f.data.length, 0));
  let o = 0;
  for (const f of frames) {
    all.set(f.data, o);
    o += f.data.length;
  }
  const quantized = gifenc.quantize(all, 255);
  const memo = new Map<number, number>();
  return {
    list: quantized,
    indexOf(r, g, b) {
      const key = (r << 16) | (g << 8) | b;
      const hit = memo.get(key);
      if (hit !== undefined) return hit;
      let best = 0;
      let bestD = Infinity;
      quantized.forEach((c, k) => {
        const d = (c[0]! - r) ** 2 + (c[1]! - g) ** 2 + (c[2]! - b) ** 2;
        if (d < bestD) {
          bestD = d;
          best = k;
        }
      });
      memo.set(key, best + 1);
      return best + 1;
    },
  };
}
