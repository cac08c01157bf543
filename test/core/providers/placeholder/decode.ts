import { createHash } from 'node:crypto';
import { decompressFrames, parseGIF } from 'gifuct-js';
import type { RgbaImage } from '../../../../plugin/core/image/bitmap.js';

export const sha256 = (b: Uint8Array): string => createHash('sha256').update(b).digest('hex');

export interface GifFrame extends RgbaImage {
  delay: number;
}

/** Every frame of a GIF, composited as a viewer shows it (each frame clears the last: dispose 2). */
export function decodeGif(bytes: Uint8Array): { width: number; height: number; frames: GifFrame[] } {
  const gif = parseGIF(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer);
  const raw = decompressFrames(gif, true);
  const width = gif.lsd.width;
  const height = gif.lsd.height;
  const frames = raw.map((f) => {
    const data = new Uint8Array(width * height * 4);
    for (let y = 0; y < f.dims.height; y++) {
      for (let x = 0; x < f.dims.width; x++) {
        const si = (y * f.dims.width + x) * 4;
        const di = ((y + f.dims.top) * width + x + f.dims.left) * 4;
        data.set(f.patch.subarray(si, si + 4), di);
      }
    }
    return { width, height, data, delay: f.delay };
  });
  return { width, height, frames };
}

export function alphaAt(img: RgbaImage, x: number, y: number): number {
  return img.data[(y * img.width + x) * 4 + 3]!;
}

export function opaqueColours(img: RgbaImage): Set<number> {
  const out = new Set<number>();
  for (let i = 0; i < img.data.length; i += 4) {
    if (img.data[i + 3]! >= 128) out.add((img.data[i]! << 16) | (img.data[i + 1]! << 8) | img.data[i + 2]!);
  }
  return out;
}

export function countOpaque(img: RgbaImage): number {
  let n = 0;
  for (let i = 3; i < img.data.length; i += 4) if (img.data[i]! >= 128) n++;
  return n;
}

/** Mean absolute RGB difference between column a and column b (or rows, with `rows`). */
export function lineDiff(img: RgbaImage, a: number, b: number, rows = false): number {
  const n = rows ? img.width : img.height;
  let sum = 0;
  for (let k = 0; k < n; k++) {
    const ia = rows ? (a * img.width + k) * 4 : (k * img.width + a) * 4;
    const ib = rows ? (b * img.width + k) * 4 : (k * img.width + b) * 4;
    for (let c = 0; c < 3; c++) sum += Math.abs(img.data[ia + c]! - img.data[ib + c]!);
  }
  return sum / (n * 3);
}

export function meanAbsDiff(a: RgbaImage, b: RgbaImage): number {
  let sum = 0;
  for (let i = 0; i < a.data.length; i++) if (i % 4 !== 3) sum += Math.abs(a.data[i]! - b.data[i]!);
  return sum / ((a.data.length / 4) * 3);
}
