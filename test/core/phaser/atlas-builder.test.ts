import { describe, expect, it } from 'vitest';
import type { SpriteSource } from '../../../plugin/core/phaser/atlas.js';
import { AtlasBuilder } from '../../../plugin/core/phaser/atlas-builder.js';
import { buildAtlas } from '../../../plugin/core/phaser/build.js';
import { gifImage, pixelArt, pngImage, request } from '../image/sprite-fixtures.js';

function sprites(heroSeed: number): SpriteSource[] {
  const walk = Array.from({ length: 16 }, (_, i) => pixelArt(48, 48, 10 + i, { l: 12, t: 4, r: 12, b: 1 }));
  return [
    { request: request('hero', {}, { origin: { x: 0.5, y: 1 } }, 'characters'), images: [pngImage(pixelArt(64, 64, heroSeed, { l: 10, t: 3, r: 17, b: 0 }))] },
    { request: request('coin', { num_images: 2 }, { animate: true }, 'characters'), images: [pngImage(pixelArt(32, 32, 2)), pngImage(pixelArt(32, 32, 3))] },
    { request: request('hero_walk', { prompt_style: 'animation_four_angle_walking' }, {}, 'characters'), images: [gifImage(walk.map((image) => ({ image, delayCs: 10 })))] },
  ];
}

const keyOf = (s: SpriteSource) => `${s.request.sprite}:${s.images.map((i) => i.bytes.length).join(',')}:${Buffer.from(s.images[0]!.bytes.subarray(-16)).toString('hex')}`;

describe('the atlas builder keeping decoded answers (the dev server)', () => {
  it('repacks an edited atlas exactly as a fresh build of the same sprites', async () => {
    const builder = new AtlasBuilder({}, { keepDecoded: true });
    const first = sprites(1);
    await builder.build(new Map([['characters', first]]), keyOf);
    // The hero's art changed; the other sprites keep their (already decoded) images.
    const edited = [{ ...first[0]!, images: sprites(99)[0]!.images }, first[1]!, first[2]!];
    const { atlases, rebuilt } = await builder.build(new Map([['characters', edited]]), keyOf);
    expect(rebuilt).toEqual(['characters']);
    expect(atlases[0]).toEqual(buildAtlas('characters', edited));
    expect(atlases[0]).not.toEqual(buildAtlas('characters', first));
  });

  it('decodes only the images it has not seen: an unchanged image is not read again', async () => {
    const builder = new AtlasBuilder({}, { keepDecoded: true });
    const first = sprites(1);
    const before = (await builder.build(new Map([['characters', first]]), keyOf)).atlases[0]!;
    // Were the coin's bytes decoded again, this would fail the build: it is the same object, already decoded.
    const coinBytes = first[1]!.images[0]!.bytes;
    const kept = new Uint8Array(coinBytes);
    coinBytes.fill(0);
    const edited = [{ ...first[0]!, images: sprites(99)[0]!.images }, first[1]!, first[2]!];
    const after = (await builder.build(new Map([['characters', edited]]), (s) => (s === edited[0] ? 'hero:new' : keyOf(s)))).atlases[0]!;
    coinBytes.set(kept);
    expect(after.frames.map((f) => f.name)).toEqual(before.frames.map((f) => f.name));
    expect(after).toEqual(buildAtlas('characters', edited));
    // Without kept decodings the same build reads the bytes and refuses them.
    coinBytes.fill(0);
    await expect(new AtlasBuilder().build(new Map([['characters', edited]]), () => 'x')).rejects.toThrow();
    coinBytes.set(kept);
  });
});
