import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { crc32, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { RetroSpritesError } from '../../../plugin/core/errors.js';
import { decodePng } from '../../../plugin/core/image/png.js';
import { decodePlainPng } from '../../../plugin/core/image/png-plain-decode.js';

// The reference is Debian's ImageMagick: it decodes each PNG to raw RGBA, and our decoding must give
// exactly those bytes. The files come from two encoders we did not write: ImageMagick itself (RGBA
// and RGB, filters none, sub and adaptive, with the ancillary chunks it adds: gAMA, cHRM, bKGD,
// tIME, tEXt) and pngjs, asked for each of the five filter types in turn (ImageMagick 6 writes
// neither up, average nor Paeth rows on its own). pngjs, which decodes every other kind of PNG
// for us, is checked to agree on the same files.
const CONVERT = '/usr/bin/convert';
const haveImageMagick = existsSync(CONVERT);
if (!haveImageMagick) {
  if (process.env.CI) throw new Error(`PNG decoding conformance needs ImageMagick at ${CONVERT} (apt-get install imagemagick)`);
  console.warn(`\n*** SKIPPING PNG decoding conformance tests: ${CONVERT} is missing (apt-get install imagemagick) ***\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'retro-png-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
let counter = 0;

/** Pixel-art-like RGBA: runs of a few colours, holes, some half-transparent pixels, and noise. */
function pixels(w: number, h: number, seed: number): Buffer {
  const out = Buffer.alloc(w * h * 4);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < w * h; i++) {
    const x = i % w;
    const y = Math.floor(i / w);
    const flat = (x >> 2) + (y >> 2) * 7 + seed;
    const noisy = rnd() < 40;
    out[i * 4] = noisy ? rnd() : (flat * 53) & 255;
    out[i * 4 + 1] = noisy ? rnd() : (flat * 97) & 255;
    out[i * 4 + 2] = noisy ? rnd() : (flat * 31) & 255;
    out[i * 4 + 3] = (x + y) % 11 === 0 ? 0 : (x * y) % 7 === 0 ? 128 : 255;
  }
  return out;
}

/** A PNG as ImageMagick writes it from raw RGBA: `PNG32:` or `PNG24:`, `-quality` picking the filter. */
function magickPng(w: number, h: number, raw: Buffer, format: string, extra: string[] = []): Buffer {
  const src = join(dir, `src-${counter}.rgba`);
  const out = join(dir, `im-${counter++}.png`);
  writeFileSync(src, raw);
  execFileSync(CONVERT, ['-size', `${w}x${h}`, '-depth', '8', `rgba:${src}`, ...extra, `${format}${out}`]);
  return readFileSync(out);
}

/** A PNG as pngjs writes it, every row with the one filter type asked for. */
function pngjsPng(w: number, h: number, raw: Buffer, colorType: 2 | 6, filterType: number): Buffer {
  return PNG.sync.write(Object.assign(new PNG({ width: w, height: h }), { data: raw }), { colorType, inputHasAlpha: true, filterType });
}

/** The PNG with one more chunk right after IHDR. */
function withChunk(png: Buffer, type: string, data: Buffer): Buffer {
  const chunk = Buffer.alloc(12 + data.length);
  chunk.writeUInt32BE(data.length, 0);
  chunk.write(type, 4, 'latin1');
  data.copy(chunk, 8);
  chunk.writeUInt32BE(crc32(chunk.subarray(4, 8 + data.length)), 8 + data.length);
  return Buffer.concat([png.subarray(0, 33), chunk, png.subarray(33)]);
}

/** The filter type of each row, to show which ones a file exercises. */
function rowFilters(png: Buffer): Set<number> {
  const idat: Buffer[] = [];
  for (let at = 8; at < png.length; at += 12 + png.readUInt32BE(at)) if (png.toString('latin1', at + 4, at + 8) === 'IDAT') idat.push(png.subarray(at + 8, at + 8 + png.readUInt32BE(at)));
  const rows = inflateSync(Buffer.concat(idat));
  const stride = png.readUInt32BE(16) * (png[25] === 6 ? 4 : 3) + 1;
  return new Set(Array.from({ length: png.readUInt32BE(20) }, (_, y) => rows[y * stride]!));
}

/** ImageMagick's own decoding of a PNG, as raw 8-bit RGBA. */
function magickRgba(png: Buffer): Buffer {
  const file = join(dir, `read-${counter++}.png`);
  writeFileSync(file, png);
  return execFileSync(CONVERT, [file, '-depth', '8', 'rgba:-'], { maxBuffer: 64 * 1024 * 1024 });
}

const colourType = (png: Buffer) => png[25];
const SIZES: [number, number][] = [[1, 1], [7, 5], [33, 17], [64, 64], [130, 3]];

describe.skipIf(!haveImageMagick)('PNG decoding, against ImageMagick', () => {
  const check = (png: Buffer, what: string) => {
    const plain = decodePlainPng(png);
    expect(plain, `${what} takes the direct path`).toBeDefined();
    const want = magickRgba(png);
    expect(Buffer.from(plain!.data), what).toEqual(want);
    expect(Buffer.from(decodePng(png).data), what).toEqual(want);
    expect(PNG.sync.read(png).data, what).toEqual(want);
  };

  for (const [type, name] of [[6, 'RGBA'], [2, 'RGB']] as const) {
    it(`decodes ${name} as ImageMagick writes it (filters none, sub, adaptive) exactly as ImageMagick reads it, without pngjs`, () => {
      for (const quality of ['91', '90', '95']) {
        for (const [w, h] of SIZES) {
          const png = magickPng(w, h, pixels(w, h, w * 31 + h), type === 6 ? 'PNG32:' : 'PNG24:', ['-quality', quality, ...(type === 2 ? ['-alpha', 'off'] : [])]);
          expect(colourType(png)).toBe(type);
          check(png, `${w}x${h} quality ${quality}`);
        }
      }
    });

    it(`decodes ${name} as pngjs writes it with each filter type (none, sub, up, average, Paeth) exactly as ImageMagick reads it`, () => {
      for (const filter of [0, 1, 2, 3, 4]) {
        for (const [w, h] of SIZES) {
          const png = pngjsPng(w, h, pixels(w, h, w * 7 + filter), type, filter);
          expect(colourType(png)).toBe(type);
          expect([...rowFilters(png)]).toEqual([filter]);
          check(png, `${w}x${h} filter ${filter}`);
        }
      }
    });
  }

  it('hands every other kind of PNG to pngjs, which reads it as ImageMagick does', () => {
    const raw = pixels(20, 9, 5);
    const kinds: [string, string, string[]][] = [
      ['interlaced', 'PNG32:', ['-interlace', 'PNG']],
      ['16-bit', 'PNG64:', []],
      ['palette', 'PNG8:', ['-colors', '16']],
      ['grey with alpha', '', ['-colorspace', 'Gray', '-define', 'png:color-type=4']],
    ];
    for (const [kind, format, extra] of kinds) {
      const png = magickPng(20, 9, raw, format, extra);
      expect([2, 6].includes(colourType(png)!) && png[24] === 8 && png[28] === 0, kind).toBe(false);
      expect(decodePlainPng(png), kind).toBeUndefined();
      expect(Buffer.from(decodePng(png).data), kind).toEqual(magickRgba(png));
    }
    // RGB with a transparent colour: ImageMagick does not write one from these pixels, so its RGB
    // file gets a tRNS chunk put in after IHDR, as the spec places it. It goes to pngjs as before.
    const rgb = magickPng(20, 9, raw, 'PNG24:', ['-alpha', 'off']);
    const trns = withChunk(rgb, 'tRNS', Buffer.from([0, 9, 0, 229, 0, 155]));
    expect(decodePlainPng(trns)).toBeUndefined();
    expect(Buffer.from(decodePng(trns).data)).toEqual(PNG.sync.read(trns).data);
  });
});

describe('PNG decoding, damaged files', () => {
  const good = PNG.sync.write(Object.assign(new PNG({ width: 4, height: 3 }), { data: pixels(4, 3, 1) }));

  it('a flipped byte fails its CRC: never decoded directly, and refused with the file named', () => {
    const bad = Buffer.from(good);
    bad[good.length - 20] = bad[good.length - 20]! ^ 0x40; // inside IDAT
    expect(decodePlainPng(bad)).toBeUndefined();
    expect(() => decodePng(bad, 'answer 0.png')).toThrow(RetroSpritesError);
    expect(() => decodePng(bad, 'answer 0.png')).toThrow(/answer 0\.png is not a valid PNG/);
  });

  it('a file cut short, or with bytes after its end, is not decoded directly', () => {
    expect(decodePlainPng(good.subarray(0, good.length - 12))).toBeUndefined();
    expect(decodePlainPng(Buffer.concat([good, Buffer.from('trailing')]))).toBeUndefined();
    expect(Buffer.from(decodePlainPng(good)!.data)).toEqual(PNG.sync.read(good).data);
  });
});
