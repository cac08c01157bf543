import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseGIF } from 'gifuct-js';
import { afterAll, describe, expect, it } from 'vitest';
import { RetroSpritesError } from '../../../plugin/core/errors.js';
import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { decodeGif, gifDelayMs, MAX_GIF_FRAMES } from '../../../plugin/core/image/gif.js';
import { decodePng, encodePng } from '../../../plugin/core/image/png.js';

// Debian's ImageMagick is the reference; /usr/local/bin/convert on some machines is a stand-in.
const CONVERT = '/usr/bin/convert';
const haveImageMagick = existsSync(CONVERT);
if (!haveImageMagick) {
  if (process.env.CI) throw new Error(`GIF conformance needs ImageMagick at ${CONVERT} (apt-get install imagemagick)`);
  console.warn(`\n*** SKIPPING GIF conformance tests: ${CONVERT} is missing (apt-get install imagemagick) ***\n`);
}

const dir = mkdtempSync(join(tmpdir(), 'retro-gif-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const COLOURS: [number, number, number][] = [[230, 40, 40], [40, 200, 60], [50, 80, 220], [250, 220, 30], [20, 20, 20], [240, 240, 240]];

/** A little picture from a few colours, with holes where `hole(x, y)` says (so GIF keeps it exactly). */
function picture(w: number, h: number, seed: number, hole: (x: number, y: number) => boolean = () => false): RgbaImage {
  const data = new Uint8Array(w * h * 4);
  for (let y = 0; y < h; y++) {
    for (let x = 0; x < w; x++) {
      const i = (y * w + x) * 4;
      if (hole(x, y)) continue;
      const c = COLOURS[(x * 3 + y * 5 + seed) % COLOURS.length]!;
      data.set([c[0], c[1], c[2], 255], i);
    }
  }
  return { width: w, height: h, data };
}

let counter = 0;
function png(image: RgbaImage): string {
  const file = join(dir, `src-${counter++}.png`);
  writeFileSync(file, encodePng(image));
  return file;
}

function convert(args: string[]): void {
  execFileSync(CONVERT, args, { stdio: ['ignore', 'ignore', 'pipe'] });
}

/** Builds a GIF with ImageMagick and returns its bytes and ImageMagick's own `-coalesce` frames. */
function imageMagickGif(name: string, args: string[]): { bytes: Uint8Array; reference: RgbaImage[] } {
  const gif = join(dir, `${name}.gif`);
  convert([...args, gif]);
  const out = join(dir, name);
  convert([gif, '-coalesce', `${out}-%03d.png`]);
  const refs = readdirSync(dir).filter((f) => f.startsWith(`${name}-`) && f.endsWith('.png')).sort();
  return { bytes: new Uint8Array(readFileSync(gif)), reference: refs.map((f) => decodePng(new Uint8Array(readFileSync(join(dir, f))))) };
}

/** Same picture: equal alpha everywhere, equal colour wherever a pixel is visible. */
function differences(a: RgbaImage, b: RgbaImage): string[] {
  if (a.width !== b.width || a.height !== b.height) return [`size ${a.width}x${a.height} vs ${b.width}x${b.height}`];
  const out: string[] = [];
  for (let p = 0; p < a.width * a.height; p++) {
    const i = p * 4;
    const same = a.data[i + 3] === b.data[i + 3] && (a.data[i + 3] === 0 || [0, 1, 2].every((k) => a.data[i + k] === b.data[i + k]));
    if (!same && out.length < 5) out.push(`(${p % a.width},${Math.floor(p / a.width)}) ${[...a.data.subarray(i, i + 4)]} vs ${[...b.data.subarray(i, i + 4)]}`);
  }
  return out;
}

function expectMatchesImageMagick(bytes: Uint8Array, reference: RgbaImage[]): void {
  const decoded = decodeGif(bytes, 'test.gif');
  expect(decoded.frames.length).toBe(reference.length);
  decoded.frames.forEach((f, i) => expect(differences(f.image, reference[i]!), `frame ${i}`).toEqual([]));
}

function gifBlocks(bytes: Uint8Array) {
  return parseGIF(bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer)
    .frames.filter((f) => 'image' in f) as { image: { descriptor: { left: number; top: number; lct: { exists: boolean; interlaced: boolean } } }; gce?: { extras: { disposal: number; transparentColorGiven: boolean } } }[];
}

const ifIM = haveImageMagick ? describe : describe.skip;

ifIM('a GIF decodes to the frames a browser shows, exactly as ImageMagick coalesces them', () => {
  const base = () => png(picture(12, 9, 0));
  const patch = (seed: number) => png(picture(5, 4, seed, (x, y) => (x + y) % 3 === 0));

  for (const disposal of ['Undefined', 'None', 'Background', 'Previous'] as const) {
    it(`disposal ${disposal}: patches at offsets with transparent holes`, () => {
      const { bytes, reference } = imageMagickGif(`dispose-${disposal}`, [
        '-delay', '10', '-dispose', 'None', base(),
        '-dispose', disposal, '-page', '+2+1', patch(1),
        '-dispose', disposal, '-page', '+6+4', patch(2),
        '-dispose', 'None', '-page', '+4+3', patch(3),
        '-loop', '0',
      ]);
      const blocks = gifBlocks(bytes);
      // The fixture really exercises what it claims.
      expect(blocks.some((b) => b.image.descriptor.left > 0)).toBe(true);
      expect(blocks.some((b) => b.gce?.extras.transparentColorGiven)).toBe(true);
      const code = { Undefined: 0, None: 1, Background: 2, Previous: 3 }[disposal];
      expect(blocks[1]!.gce?.extras.disposal).toBe(code);
      expectMatchesImageMagick(bytes, reference);
    });
  }

  it('a first frame that is itself transparent and smaller than the canvas', () => {
    const { bytes, reference } = imageMagickGif('sparse-first', [
      '-delay', '10', '-dispose', 'Background', '-page', '12x9+3+2', png(picture(4, 4, 1, (x) => x === 0)),
      '-dispose', 'Previous', '-page', '12x9+0+0', png(picture(6, 3, 2)),
      '-dispose', 'None', '-page', '12x9+7+5', png(picture(5, 4, 3, (x, y) => x === y)),
      '-loop', '0',
    ]);
    expectMatchesImageMagick(bytes, reference);
  });

  it('frames with their own (local) colour tables', () => {
    const red = png(picture(8, 8, 0));
    const other: RgbaImage = picture(8, 8, 0);
    for (let i = 0; i < other.data.length; i += 4) other.data.set([other.data[i + 2]!, 255 - other.data[i]!, 128, 255], i);
    const { bytes, reference } = imageMagickGif('local-tables', ['-delay', '10', red, png(other), '-loop', '0']);
    expect(gifBlocks(bytes).some((b) => b.image.descriptor.lct.exists)).toBe(true);
    expectMatchesImageMagick(bytes, reference);
  });

  it('interlaced frames', () => {
    const { bytes, reference } = imageMagickGif('interlaced', [
      '-delay', '10', png(picture(7, 19, 0)), '-page', '+1+2', png(picture(5, 11, 4, (x, y) => y % 4 === 1)), '-interlace', 'GIF', '-loop', '0',
    ]);
    expect(gifBlocks(bytes).every((b) => b.image.descriptor.lct.interlaced)).toBe(true);
    expectMatchesImageMagick(bytes, reference);
  });

  it('per-frame delays become milliseconds, 0 and 1 hundredths playing as 100 ms like in browsers', () => {
    const frame = () => png(picture(4, 4, counter));
    const { bytes } = imageMagickGif('delays', ['-delay', '0', frame(), '-delay', '1', frame(), '-delay', '2', frame(), '-delay', '7', frame(), '-delay', '50', frame(), '-loop', '0']);
    expect(decodeGif(bytes).frames.map((f) => f.durationMs)).toEqual([100, 100, 20, 70, 500]);
  });
});

describe('a GIF that would exhaust memory is refused before decoding', () => {
  /** A tiny hand-made GIF: `frames` 1x1 frames on a `w`x`h` canvas. */
  function tinyGif(w: number, h: number, frames: number): Uint8Array {
    const bytes: number[] = [...Buffer.from('GIF89a'), w & 0xff, w >> 8, h & 0xff, h >> 8, 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
    for (let i = 0; i < frames; i++) bytes.push(0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0);
    bytes.push(0x3b);
    return new Uint8Array(bytes);
  }

  it('decodes the hand-made GIF itself (so the refusals below are about size alone)', () => {
    const gif = decodeGif(tinyGif(2, 2, 3));
    expect(gif.frames).toHaveLength(3);
    expect([...gif.frames[0]!.image.data.subarray(0, 4)]).toEqual([0, 0, 0, 255]);
    expect([...gif.frames[0]!.image.data.subarray(4, 8)]).toEqual([0, 0, 0, 0]);
  });

  it('a 65535x65535 canvas', () => {
    expect(() => decodeGif(tinyGif(65535, 65535, 1), 'bomb.gif')).toThrow(/bomb\.gif claims a 65535x65535 canvas/);
  });

  it('more frames than any sprite needs', () => {
    let error: unknown;
    try { decodeGif(tinyGif(2, 2, MAX_GIF_FRAMES + 1), 'many.gif'); } catch (e) { error = e; }
    expect(error).toBeInstanceOf(RetroSpritesError);
    expect((error as RetroSpritesError).code).toBe('image-too-large');
  });

  it('bytes that are not a GIF', () => {
    expect(() => decodeGif(new Uint8Array([1, 2, 3, 4, 5, 6, 7]), 'x.gif')).toThrow(/x\.gif is not a GIF/);
  });
});

describe('GIF delays', () => {
  it('follow browsers: 0 or 1 hundredths (or none) play as 100 ms', () => {
    expect([undefined, 0, 1, 2, 10].map(gifDelayMs)).toEqual([100, 100, 100, 20, 100]);
  });
});
