import { deflateSync, inflateSync } from 'node:zlib';
import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { decodePng, encodePng } from '../../../plugin/core/image/png.js';
import { encodePngCompact, encodePngCompactAsync } from '../../../plugin/core/image/png-encode.js';

function image(w: number, h: number, colour: (x: number, y: number) => [number, number, number, number]): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) data.set(colour(x, y), (y * w + x) * 4);
  return { width: w, height: h, data };
}

/** Colour type and bit depth straight from IHDR. */
function header(png: Uint8Array): { depth: number; colourType: number } {
  return { depth: png[24]!, colourType: png[25]! };
}

const palettes: Record<string, [number, number, number, number][]> = {
  '2 colours': [[0, 0, 0, 0], [200, 30, 30, 255]],
  '4 colours': [[0, 0, 0, 0], [200, 30, 30, 255], [10, 10, 10, 128], [1, 2, 3, 255]],
  '16 colours': Array.from({ length: 16 }, (_, i) => [i * 16, 255 - i * 16, i, i === 3 ? 0 : i === 5 ? 77 : 255]),
  '256 colours': Array.from({ length: 256 }, (_, i) => [i, (i * 7) & 255, (i * 13) & 255, i < 8 ? i * 30 : 255]),
};

describe('atlas pages are written as small, lossless PNGs', () => {
  for (const [name, colours] of Object.entries(palettes)) {
    for (const width of [1, 7, 33]) {
      it(`${name}, ${width} px wide: indexed colour, and decodes back to the same RGBA`, () => {
        const img = image(width, 9, (x, y) => colours[(x * 5 + y * 3 + x * y) % colours.length]!);
        const png = encodePngCompact(img);
        expect(header(png).colourType).toBe(3);
        const back = decodePng(png);
        expect(back.width).toBe(width);
        expect(Buffer.from(back.data).equals(Buffer.from(img.data))).toBe(true);
      });
    }
  }

  it('more than 256 colours: RGBA, still exact', () => {
    const img = image(40, 30, (x, y) => [x * 6, y * 8, (x * y) & 255, (x + y) % 5 === 0 ? 0 : 255]);
    const png = encodePngCompact(img);
    expect(header(png)).toEqual({ depth: 8, colourType: 6 });
    expect(Buffer.from(decodePng(png).data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('keeps the colour of fully transparent pixels (lossless means lossless)', () => {
    const img = image(3, 1, (x) => [x * 50, 9, 9, 0]);
    expect([...decodePng(encodePngCompact(img)).data]).toEqual([...img.data]);
  });

  it('the same pixels always give the same bytes', () => {
    const make = () => image(64, 64, (x, y) => palettes['16 colours']![(x ^ y) % 16]!);
    expect(Buffer.from(encodePngCompact(make())).equals(Buffer.from(encodePngCompact(make())))).toBe(true);
  });

  it('the fast effort (the dev server re-encodes pages on every edit) is as exact and as repeatable', () => {
    const indexed = image(33, 17, (x, y) => palettes['16 colours']![(x * 5 + y * 3) % 16]!);
    const rgba = image(40, 30, (x, y) => [x * 6, y * 8, (x * y) & 255, (x + y) % 5 === 0 ? 0 : 255]);
    for (const [img, colourType] of [[indexed, 3], [rgba, 6]] as const) {
      const png = encodePngCompact(img, { effort: 'fast' });
      expect(header(png).colourType).toBe(colourType);
      expect(Buffer.from(decodePng(png).data).equals(Buffer.from(img.data))).toBe(true);
      expect(Buffer.from(encodePngCompact(img, { effort: 'fast' })).equals(Buffer.from(png))).toBe(true);
    }
  });

  it('pixel art comes out smaller than a plain RGBA PNG at maximum compression', () => {
    const art = image(128, 128, (x, y) => ((x >> 3) + (y >> 3)) % 3 === 0 ? [0, 0, 0, 0] : palettes['16 colours']![((x >> 2) * 7 + (y >> 2)) % 16]!);
    expect(encodePngCompact(art).length).toBeLessThan(encodePng(art).length);
  });

  it('filters each row as suits it (all five PNG filters), and pngjs reads every one back exactly', () => {
    // Rows that favour each filter: flat runs (Sub), repeats of the row above (Up), ramps (Average, Paeth), noise (None).
    const img = image(97, 61, (x, y) => {
      const band = y % 5;
      if (band === 0) return [(x * 37 + y * 101) & 255, (x * 91) & 255, (x * x + y) & 255, 255];
      if (band === 1) return [y * 4, 200, 17, 255];
      if (band === 2) return [(x * 3 + (y - 2) * 9) & 255, x & 255, ((y - 2) * 5) & 255, 255];
      if (band === 3) return [(x + y) & 255, (x * 2 + y) & 255, (x * 3 + y * 2) & 255, 200];
      return [(x * 7) & 255, (y * 11 + x) & 255, (x ^ y) & 255, 255];
    });
    const png = encodePngCompact(img);
    expect(header(png)).toEqual({ depth: 8, colourType: 6 });
    const idatAt = Buffer.from(png).indexOf('IDAT');
    const raw = inflateSync(Buffer.from(png.subarray(idatAt + 4, idatAt + 4 + new DataView(png.buffer, png.byteOffset).getUint32(idatAt - 4))));
    const types = new Set(Array.from({ length: 61 }, (_, y) => raw[y * (97 * 4 + 1)]));
    expect(types.size).toBeGreaterThanOrEqual(3);
    expect(Buffer.from(decodePng(png).data).equals(Buffer.from(img.data))).toBe(true);
  });

  it('on a tall page the filtering is chosen on a sample of its rows, and it is the one a whole-page trial picks', async () => {
    const rawOf = (png: Uint8Array) => {
      const idatAt = Buffer.from(png).indexOf('IDAT');
      return inflateSync(Buffer.from(png.subarray(idatAt + 4, idatAt + 4 + new DataView(png.buffer, png.byteOffset).getUint32(idatAt - 4))));
    };
    // 300 rows: five bands of the sample, and rows between them that its trial never sees.
    const smooth = image(120, 300, (x, y) => [x, y & 255, (x + y) & 255, 255]);
    const blocks = image(120, 300, (x, y) => [((x >> 3) * 40) & 255, ((y >> 3) * 70) & 255, (((x >> 3) ^ (y >> 3)) * 9) & 255, 255]);
    for (const img of [smooth, blocks]) {
      const png = encodePngCompact(img);
      expect(header(png).colourType).toBe(6);
      // Adaptive won the sample (some row is filtered). The whole page, compared as zlib compresses
      // it, agrees: its filtered rows against the same rows unfiltered.
      const adaptive = rawOf(png);
      expect(Array.from({ length: 300 }, (_, y) => adaptive[y * 481]).some((t) => t !== 0)).toBe(true);
      const none = Buffer.concat(Array.from({ length: 300 }, (_, y) => Buffer.concat([Buffer.from([0]), Buffer.from(img.data.subarray(y * 480, (y + 1) * 480))])));
      expect(deflateSync(adaptive, { level: 6 }).length).toBeLessThan(deflateSync(none, { level: 6 }).length);
      expect(Buffer.from(decodePng(png).data).equals(Buffer.from(img.data))).toBe(true);
      expect(Buffer.from(await encodePngCompactAsync(img)).equals(Buffer.from(png))).toBe(true);
    }
  });

  it('encodes to the same bytes on the thread pool as on the calling thread, indexed and RGBA, both efforts', async () => {
    const indexed = image(50, 40, (x, y) => palettes['16 colours']![(x * y) % 16]!);
    const rgba = image(50, 40, (x, y) => [x * 5, y * 6, (x * y) & 255, 255]);
    for (const img of [indexed, rgba]) {
      for (const effort of ['small', 'fast'] as const) {
        expect(Buffer.from(await encodePngCompactAsync(img, { effort })).equals(Buffer.from(encodePngCompact(img, { effort })))).toBe(true);
      }
    }
  });
});
