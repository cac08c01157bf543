import { describe, expect, it } from 'vitest';
import type { RgbaImage } from '../../../plugin/core/image/bitmap.js';
import { spriteFrames } from '../../../plugin/core/phaser/frames.js';
import { crop } from '../../../plugin/core/image/trim.js';
import { gifImage, pixelArt, pngImage, request } from '../image/sprite-fixtures.js';

const same = (a: RgbaImage, b: RgbaImage) => a.width === b.width && a.height === b.height && Buffer.from(a.data).equals(Buffer.from(b.data));

describe('one sprite becomes named frames and animations', () => {
  it('a single image is the frame named after the sprite', () => {
    const art = pixelArt(32, 32, 1);
    const out = spriteFrames(request('hero'), [pngImage(art)]);
    expect(out.frames.map((f) => f.name)).toEqual(['hero']);
    expect(same(out.frames[0]!.image, art)).toBe(true);
    expect(out.animations).toEqual([]);
  });

  it('num_images gives coin_0 … coin_3, and an animation over them when asked', () => {
    const images = [0, 1, 2, 3].map((i) => pngImage(pixelArt(16, 16, i)));
    const plain = spriteFrames(request('coin', { num_images: 4 }), images);
    expect(plain.frames.map((f) => f.name)).toEqual(['coin_0', 'coin_1', 'coin_2', 'coin_3']);
    expect(plain.animations).toEqual([]);
    const animated = spriteFrames(request('coin', { num_images: 4 }, { animate: true, frameRate: 12, repeat: 2 }), images);
    expect(animated.animations).toEqual([
      { key: 'coin', frames: ['coin_0', 'coin_1', 'coin_2', 'coin_3'].map((frame) => ({ frame })), frameRate: 12, repeat: 2, action: 'default', direction: 'default' },
    ]);
  });

  it('a walking GIF becomes 4 directions x 4 frames, hero_walk/down/0 … and hero_walk_down …', () => {
    const cells = Array.from({ length: 16 }, (_, i) => pixelArt(48, 48, 100 + i, { l: 8, t: 4, r: 10, b: 2 }));
    const out = spriteFrames(request('hero_walk', { prompt_style: 'animation_four_angle_walking', width: 48, height: 48 }), [
      gifImage(cells.map((image) => ({ image, delayCs: 12 }))),
    ]);
    expect(out.frames.map((f) => f.name).slice(0, 5)).toEqual(['hero_walk/down/0', 'hero_walk/down/1', 'hero_walk/down/2', 'hero_walk/down/3', 'hero_walk/left/0']);
    expect(out.frames).toHaveLength(16);
    out.frames.forEach((f, i) => expect(same(f.image, cells[i]!), f.name).toBe(true));
    expect(out.animations.map((a) => a.key)).toEqual(['hero_walk_down', 'hero_walk_left', 'hero_walk_right', 'hero_walk_up']);
    const up = out.animations[3]!;
    expect(up.frames.map((f) => f.frame)).toEqual(['hero_walk/up/0', 'hero_walk/up/1', 'hero_walk/up/2', 'hero_walk/up/3']);
    // 120 ms per frame in the GIF: 8.333 fps, no per-frame durations since they are all equal.
    expect(up.frameRate).toBeCloseTo(1000 / 120, 2);
    expect(up.frames.every((f) => f.durationMs === undefined)).toBe(true);
    expect(up.repeat).toBe(-1);
  });

  it('uneven GIF delays are kept per frame; frame_rate in the manifest wins over them', () => {
    const cells = Array.from({ length: 3 }, (_, i) => ({ image: pixelArt(16, 16, i), delayCs: [10, 20, 0][i]! }));
    const fromGif = spriteFrames(request('fire', { prompt_style: 'rd_animation__vfx' }), [gifImage(cells)]);
    expect(fromGif.animations[0]!.frames.map((f) => f.durationMs)).toEqual([100, 200, 100]);
    expect(fromGif.animations[0]!.frameRate).toBeCloseTo(7.5, 3);
    const fixed = spriteFrames(request('fire', {}, { frameRate: 24 }), [gifImage(cells)]);
    expect(fixed.animations[0]!.frameRate).toBe(24);
    expect(fixed.animations[0]!.frames.every((f) => f.durationMs === undefined)).toBe(true);
  });

  it('return_spritesheet: the PNG sheet is sliced into the same frames as the GIF (rows = directions)', () => {
    const sheet = pixelArt(4 * 48, 4 * 48, 9);
    const out = spriteFrames(
      request('hero_walk', { prompt_style: 'animation_four_angle_walking', return_spritesheet: true }),
      [pngImage(sheet)],
    );
    const right2 = out.frames.find((f) => f.name === 'hero_walk/right/2')!;
    expect(same(right2.image, crop(sheet, { x: 2 * 48, y: 2 * 48, w: 48, h: 48 }))).toBe(true);
    expect(out.animations[0]!.frameRate).toBe(8);
  });

  it('a layout from the manifest changes directions, frame count and order', () => {
    const sheet = pixelArt(2 * 32, 3 * 32, 4);
    const layout = { directions: ['east', 'west'], framesPerDirection: 3, order: 'columns' as const };
    const out = spriteFrames(request('bat', {}, { layout }), [pngImage(sheet)]);
    expect(out.frames.map((f) => f.name)).toEqual(['bat/east/0', 'bat/east/1', 'bat/east/2', 'bat/west/0', 'bat/west/1', 'bat/west/2']);
    expect(same(out.frames[4]!.image, crop(sheet, { x: 32, y: 32, w: 32, h: 32 }))).toBe(true);
  });

  it('a sheet that does not match the layout is a clear error naming the sprite and the fix', () => {
    expect(() => spriteFrames(request('bat', {}, { layout: { directions: ['a', 'b', 'c'], framesPerDirection: 4, order: 'rows' } }), [pngImage(pixelArt(100, 100, 1))]))
      .toThrow(/sprites\.yaml:3:3: sprite "bat": a 100x100 sheet does not divide into 4x3 cells.*animation:/);
  });

  it('origin becomes the pivot of every frame', () => {
    const out = spriteFrames(request('hero', {}, { origin: { x: 0.5, y: 1 } }), [pngImage(pixelArt(8, 8, 1))]);
    expect(out.frames[0]!.pivot).toEqual({ x: 0.5, y: 1 });
  });

  it('a tiling sprite is a standalone image, not a frame', () => {
    const tile = pixelArt(32, 32, 5);
    const out = spriteFrames(request('grass', { tile_x: true, tile_y: true }), [pngImage(tile)]);
    expect(out.frames).toEqual([]);
    expect(out.tileImages.map((t) => t.name)).toEqual(['grass']);
    expect(same(out.tileImages[0]!.image, tile)).toBe(true);
  });
});
