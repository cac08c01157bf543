import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateSync, inflateSync } from 'node:zlib';
import { PNG } from 'pngjs';
import { afterAll, describe, expect, it } from 'vitest';
import { encodePngCompact, encodePngCompactAsync } from '../../../plugin/core/image/png-encode.js';
import { adler32, zlibSliced, zlibSlicedSync } from '../../../plugin/core/image/zlib-slices.js';

// The references are zlib itself (Node's binding: its inflate checks the header and the Adler-32,
// and its one-stream deflate is what a single slice must equal), pngjs and Debian's ImageMagick,
// which read a page whose final compression was made in slices.

const CONVERT = '/usr/bin/convert';
const haveImageMagick = existsSync(CONVERT);
if (!haveImageMagick && process.env.CI) throw new Error(`PNG conformance needs ImageMagick at ${CONVERT} (apt-get install imagemagick)`);

const dir = mkdtempSync(join(tmpdir(), 'retro-zlib-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Page-like bytes: runs (what deflate matches across slice boundaries) broken by noise. */
function pageBytes(length: number, seed = 7): Buffer {
  const out = Buffer.alloc(length);
  let s = seed;
  const rnd = () => ((s = (s * 1103515245 + 12345) >>> 0) >>> 16) & 255;
  for (let i = 0; i < length; i++) out[i] = rnd() < 30 ? rnd() : ((i >> 6) * 37 + (i % 24)) & 255;
  return out;
}

const FINAL = { level: 9, memLevel: 9 };

describe('a page compressed in slices is one ordinary zlib stream', () => {
  it('zlib inflates it back exactly, header and Adler-32 checked, across many slices', async () => {
    const input = pageBytes(3 * 1024 * 1024 + 12345);
    const sliced = await zlibSliced(input, FINAL);
    expect(inflateSync(sliced).equals(input)).toBe(true);
  });

  it('the sync form gives the same bytes as the one on the thread pool', async () => {
    const input = pageBytes(1.5 * 1024 * 1024, 3);
    expect(zlibSlicedSync(input, FINAL).equals(await zlibSliced(input, FINAL))).toBe(true);
  });

  it('under one slice it is byte for byte what zlib writes in one stream, at any level', async () => {
    for (const opts of [FINAL, { level: 6 }, { level: 1 }]) {
      for (const length of [0, 1, 1000, 300 * 1024]) {
        const input = pageBytes(length, length);
        expect((await zlibSliced(input, opts)).equals(deflateSync(input, opts)), `${length} bytes, level ${opts.level}`).toBe(true);
      }
    }
  });

  it('costs next to nothing in size: each slice starts with the window before it', async () => {
    const input = pageBytes(4 * 1024 * 1024, 11);
    const one = deflateSync(input, FINAL).length;
    expect((await zlibSliced(input, FINAL)).length).toBeLessThan(one * 1.002);
  });

  it('its checksum is zlib\'s Adler-32', () => {
    // Lengths around the 8-byte steps and the 5552-byte runs; all-0xff bytes make the sums largest.
    const inputs = [0, 1, 7, 8, 9, 5551, 5552, 5553, 11_105, 100_000].map((length) => pageBytes(length, 5));
    inputs.push(Buffer.alloc(5552 * 3 + 5, 0xff));
    for (const input of inputs) {
      const stored = deflateSync(input, { level: 0 });
      expect(adler32(input), `${input.length} bytes`).toBe(stored.readUInt32BE(stored.length - 4));
    }
  });
});

describe('an atlas page too large for one slice', () => {
  // 700 x 500 RGBA with more than 256 colours: 1.4 MB of filtered rows, three slices.
  const width = 700;
  const height = 500;
  const data = new Uint8Array(pageBytes(width * height * 4, 21));
  for (let i = 3; i < data.length; i += 4) data[i] = data[i]! < 40 ? 0 : 255;
  const page = { width, height, data };

  it('is read back exactly by pngjs, and the thread-pool encoding is the same file', async () => {
    const png = encodePngCompact(page);
    expect(png[25]).toBe(6);
    const back = PNG.sync.read(Buffer.from(png));
    expect(Buffer.from(back.data).equals(Buffer.from(data))).toBe(true);
    expect(Buffer.from(await encodePngCompactAsync(page)).equals(Buffer.from(png))).toBe(true);
  });

  it.skipIf(!haveImageMagick)('is read back exactly by ImageMagick', () => {
    const file = join(dir, 'page.png');
    writeFileSync(file, encodePngCompact(page));
    const rgba = execFileSync(CONVERT, [file, '-depth', '8', 'rgba:-'], { maxBuffer: 64 * 1024 * 1024 });
    expect(rgba.equals(Buffer.from(data))).toBe(true);
  });
});
