import { readFileSync } from 'node:fs';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { RetroSpritesError } from '../../plugin/core/errors.js';
import type { RgbaImage } from '../../plugin/core/image/bitmap.js';
import { decodeGif, MAX_GIF_FRAMES } from '../../plugin/core/image/gif.js';
import { encodeGif } from '../../plugin/core/image/gif-encode.js';
import { startAnswerServer, type AnswerServer } from '../helpers/answer-server.js';
import { runCli } from '../helpers/cli.js';
import { writeProject } from '../helpers/project.js';
import { useTempDirs } from '../helpers/tmp.js';

const tempDir = useTempDirs();
let server: AnswerServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

const WALK_GIF = new Uint8Array(readFileSync(join(import.meta.dirname, '../fixtures/gif/imagemagick-walk.gif')));
const walkManifest = (extra = '') =>
  `atlas: characters\nsprites:\n  hero:\n    prompt: brave knight\n    prompt_style: animation_four_angle_walking\n    seed: 7\n${extra}`;
const ENV = (url: string) => ({ RD_API_KEY: 'rdpk-test', RD_API_URL: url });

/** Every cache record under the project (a cached entry has one). */
async function cachedRecords(root: string): Promise<string[]> {
  const all = await readdir(join(root, 'manifests/.retro-cache'), { recursive: true }).catch(() => [] as string[]);
  return all.filter((f) => /(^|\/)[0-9a-f]{2}\/[0-9a-f]{64}\.json$/.test(f));
}

/** `n` frames of the walking cycle (a real ImageMagick GIF's frames), re-encoded with gifenc. */
function walkOf(n: number): Uint8Array {
  const frames: RgbaImage[] = decodeGif(WALK_GIF).frames.slice(0, n).map((f) => f.image);
  return encodeGif(frames, { delayMs: 100 });
}

describe('a GIF answer that does not fit the sprite\'s animation layout is malformed and never cached', () => {
  it('8 of the 16 walking frames: refused at generation time naming the sprite; nothing cached, so the next run asks again', async () => {
    server = await startAnswerServer(() => [walkOf(8)]);
    const root = await tempDir();
    await writeProject(root, { 'manifests/characters.yaml': walkManifest() });
    for (const attempt of [1, 2]) {
      const run = await runCli(['generate'], { cwd: root, env: ENV(server.url) });
      expect(run.code).toBe(1);
      expect(run.err.join('\n')).toMatch(
        /manifests\/characters\.yaml:3:3: characters\/hero: malformed answer: the image is a GIF of 8 frames, but the animation layout expects 16 \(4 directions x 4 frames, rows\); it was not cached/,
      );
      expect(await cachedRecords(root)).toEqual([]);
      expect(server.paid).toBe(attempt);
    }
  });

  it('the layout is the manifest\'s: 16 frames for `animation: {directions: [left, right], frames: 4}` is refused, 8 are taken', async () => {
    const layout = '    animation:\n      directions: [left, right]\n      frames: 4\n';
    server = await startAnswerServer(() => [WALK_GIF]);
    const root = await tempDir();
    await writeProject(root, { 'manifests/characters.yaml': walkManifest(layout) });
    const run = await runCli(['generate'], { cwd: root, env: ENV(server.url) });
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(/characters\/hero: malformed answer: the image is a GIF of 16 frames, but the animation layout expects 8 \(2 directions x 4 frames, rows\)/);
    expect(await cachedRecords(root)).toEqual([]);
    await server.close();

    server = await startAnswerServer(() => [walkOf(8)]);
    const fits = await runCli(['generate', '--out', 'out'], { cwd: root, env: ENV(server.url) });
    expect(fits.code, fits.err.join('\n')).toBe(0);
    expect(await cachedRecords(root)).toHaveLength(1);
  });
});

describe('GIF limits apply while the blocks are read, before any frame is built', () => {
  /** `frames` 1x1 frames, each with its GCE (23 bytes a frame), on a `side`x`side` canvas. */
  function manyFrames(side: number, frames: number, tail: number[] = [0x3b]): Uint8Array {
    const head = [...Buffer.from('GIF89a'), side, 0, side, 0, 0x80, 0, 0, 0, 0, 0, 255, 255, 255];
    const frame = Buffer.from([0x21, 0xf9, 4, 9, 10, 0, 1, 0, 0x2c, 0, 0, 0, 0, 1, 0, 1, 0, 0, 2, 2, 0x44, 0x01, 0]);
    const out = Buffer.alloc(head.length + frames * frame.length + tail.length);
    out.set(head, 0);
    for (let i = 0; i < frames; i++) frame.copy(out, head.length + i * frame.length);
    out.set(tail, head.length + frames * frame.length);
    return new Uint8Array(out.buffer, out.byteOffset, out.byteLength);
  }

  it(`counts frames as it walks: ${MAX_GIF_FRAMES} + 1 frames followed by junk are refused for their number, the junk never read`, () => {
    const bytes = manyFrames(4, MAX_GIF_FRAMES + 1, [0x99, 0x99, 0x99]);
    expect(decodeGif(manyFrames(4, MAX_GIF_FRAMES)).frames).toHaveLength(MAX_GIF_FRAMES);
    let error: unknown;
    try {
      decodeGif(bytes, 'many.gif');
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(RetroSpritesError);
    expect((error as RetroSpritesError).code).toBe('image-too-large');
    expect((error as Error).message).toBe(`many.gif has more than ${MAX_GIF_FRAMES} frames; refusing to decode it`);
  });

  it('a 46 MB answer of two million 1x1 frames is refused as malformed at the frame limit, with bounded memory, and not cached', async () => {
    const bomb = manyFrames(16, 2_000_000);
    expect(bomb.length).toBeGreaterThan(46_000_000);
    server = await startAnswerServer(() => [bomb]);
    const root = await tempDir();
    await writeProject(root, { 'manifests/items.yaml': 'atlas: items\nsprites:\n  gem:\n    prompt: a gem\n    size: 16\n' });
    const base = process.memoryUsage().rss;
    let peak = base;
    const sample = setInterval(() => { peak = Math.max(peak, process.memoryUsage().rss); }, 5);
    const run = await runCli(['generate'], { cwd: root, env: ENV(server.url) });
    clearInterval(sample);
    peak = Math.max(peak, process.memoryUsage().rss);
    expect(run.code).toBe(1);
    expect(run.err.join('\n')).toMatch(new RegExp(`items/gem: malformed answer: image 1 of 1 does not decode: image 1 of 1 has more than ${MAX_GIF_FRAMES} frames`));
    expect(await cachedRecords(root)).toEqual([]);
    // The answer itself is held a few times over (body, text, JSON, base64 decode: ~300 MB); the
    // frames never are. Before the limit applied while parsing, this answer took 2 GB.
    expect(peak - base).toBeLessThan(1024 * 1024 * 1024);
    console.log(`two-million-frame answer: peak RSS +${Math.round((peak - base) / 1e6)} MB`);
  }, 60_000);
});
