import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';

/**
 * A minimal GIF writer for tests: full-canvas frames, one global table of up to 255 colours plus a
 * transparent index, LZW without compression (a clear code every 250 pixels keeps codes at 9 bits).
 */
export function tinyGif(frames: { image: RgbaImage; delayCs: number }[]): Uint8Array {
  const { width, height } = frames[0]!.image;
  const colours = new Map<number, number>();
  for (const f of frames) {
    for (let i = 0; i < f.image.data.length; i += 4) {
      if (f.image.data[i + 3] === 0) continue;
      const c = (f.image.data[i]! << 16) | (f.image.data[i + 1]! << 8) | f.image.data[i + 2]!;
      if (!colours.has(c)) colours.set(c, colours.size);
    }
  }
  if (colours.size > 255) throw new Error('tinyGif: more than 255 colours');
  const TRANSPARENT = 255;
  const out: number[] = [...Buffer.from('GIF89a'), width & 255, width >> 8, height & 255, height >> 8, 0xf7, 0, 0];
  const table = new Array<number>(256 * 3).fill(0);
  for (const [c, i] of colours) table.splice(i * 3, 3, c >> 16, (c >> 8) & 255, c & 255);
  out.push(...table);
  out.push(0x21, 0xff, 11, ...Buffer.from('NETSCAPE2.0'), 3, 1, 0, 0, 0);
  for (const f of frames) {
    // Disposal 2: each frame starts from a clear canvas, as animation answers with transparent backgrounds do.
    out.push(0x21, 0xf9, 4, (2 << 2) | 1, f.delayCs & 255, f.delayCs >> 8, TRANSPARENT, 0);
    out.push(0x2c, 0, 0, 0, 0, width & 255, width >> 8, height & 255, height >> 8, 0, 8);
    const codes: number[] = [];
    for (let p = 0; p < width * height; p++) {
      if (p % 250 === 0) codes.push(256);
      const i = p * 4;
      const d = f.image.data;
      codes.push(d[i + 3] === 0 ? TRANSPARENT : colours.get((d[i]! << 16) | (d[i + 1]! << 8) | d[i + 2]!)!);
    }
    codes.push(257);
    const bytes: number[] = [];
    let acc = 0;
    let bits = 0;
    for (const code of codes) {
      acc |= code << bits;
      bits += 9;
      while (bits >= 8) { bytes.push(acc & 255); acc >>= 8; bits -= 8; }
    }
    if (bits > 0) bytes.push(acc & 255);
    for (let at = 0; at < bytes.length; at += 255) {
      const block = bytes.slice(at, at + 255);
      out.push(block.length, ...block);
    }
    out.push(0);
  }
  out.push(0x3b);
  return new Uint8Array(out);
}
