import { describe, expect, it } from 'vitest';
import { STYLE_LAYOUTS, actionCells, layoutCellCount } from '../../../plugin/core/animation-layout.js';
import { findStyle } from '../../../plugin/core/catalog.js';
import { spriteFrames, type SpriteFrames } from '../../../plugin/core/phaser/frames.js';
import type { ApiPayload } from '../../../plugin/core/payload.js';
import { renderPlaceholder } from '../../../plugin/core/providers/placeholder/index.js';
import type { GenerationRequest } from '../../../plugin/core/request.js';
import { rgbPngBase64 } from '../providers/retrodiffusion/helpers.js';

/**
 * Every animated style's layout (the table in plugin/core/animation-layout.ts, read from
 * shared/retrodiffusion-v2.md): the answer, as a GIF and as a `return_spritesheet` PNG, slices into
 * the same named frames and animations, and each action plays the cells the layout documents.
 */
function request(style: string, sheet: boolean): GenerationRequest {
  const info = findStyle(style)!;
  const size = info.fixedSize ?? { width: 64, height: 64 };
  const payload: ApiPayload = {
    prompt: 'a knight with a red cape', prompt_style: style, width: size.width, height: size.height, num_images: 1, seed: 4,
    upscale_output_factor: 1, ...(sheet ? { return_spritesheet: true } : {}),
    ...(info.requiresInputImage ? { input_image: rgbPngBase64(size.width, size.height) } : {}),
  };
  return { sprite: 'knight', atlas: 'a', payload, options: { animate: true, repeat: -1 }, source: { file: '/p/m.yaml', line: 1, column: 1 }, fieldSources: {}, dependencies: [] };
}
function cut(style: string, sheet: boolean): SpriteFrames {
  const r = request(style, sheet);
  return spriteFrames(r, renderPlaceholder(r.payload));
}
const pixels = (out: SpriteFrames, name: string) => Buffer.from(out.frames.find((f) => f.name === name)!.image.data).toString('base64');

describe('every animated style has its layout as named actions', () => {
  for (const [style, layout] of Object.entries(STYLE_LAYOUTS)) {
    it(`${style}: GIF and sheet answers give the same frames and animations`, () => {
      const gif = cut(style, false);
      const sheet = cut(style, true);
      expect(sheet.frames.map((f) => f.name)).toEqual(gif.frames.map((f) => f.name));
      expect(sheet.animations).toEqual(gif.animations.map((a) => ({ ...a, frameRate: sheet.animations.find((s) => s.key === a.key)!.frameRate, frames: a.frames.map((f) => ({ frame: f.frame })) })));
      for (const f of gif.frames) expect(pixels(sheet, f.name), f.name).toBe(pixels(gif, f.name));
      const keys = gif.animations.map((a) => a.key);
      const expected = layout.directions.flatMap((d) => Object.keys(layout.actions).map((a) => (layout.legacyNames ? `knight_${d}` : `knight_${a}_${d}`)));
      expect(keys).toEqual(expected);
      if (!layout.legacyNames) {
        for (const a of gif.animations) {
          expect(a.frames.map((f) => f.frame)).toEqual(a.frames.map((_, i) => `knight/${a.action}/${a.direction}/${i}`));
        }
      }
      const n = layoutCellCount(layout);
      if (n !== undefined) {
        for (const a of gif.animations) expect(a.frames).toHaveLength(actionCells(layout.actions[a.action!]!, layout.cellsPerDirection as number).length);
      }
    });
  }

  it('the seed walking style keeps its names: knight/<direction>/<i>, knight_<direction>', () => {
    const out = cut('animation_four_angle_walking', false);
    expect(out.animations.map((a) => a.key)).toEqual(['knight_down', 'knight_left', 'knight_right', 'knight_up']);
    expect(out.frames.map((f) => f.name).slice(0, 4)).toEqual(['knight/down/0', 'knight/down/1', 'knight/down/2', 'knight/down/3']);
    expect(out.animations[0]).toMatchObject({ action: 'walk', direction: 'down' });
  });

  it('walking_idle: idle plays W2, I1 and walk plays W2, W1, W2, W3 (resources/walk_idle_format.png)', () => {
    const out = cut('rd_animation__four_angle_walking_idle', false);
    for (const d of ['down', 'right', 'up', 'left']) {
      expect(pixels(out, `knight/idle/${d}/0`)).toBe(pixels(out, `knight/walk/${d}/0`));
      expect(pixels(out, `knight/walk/${d}/0`)).toBe(pixels(out, `knight/walk/${d}/2`));
      expect(pixels(out, `knight/idle/${d}/1`)).not.toBe(pixels(out, `knight/idle/${d}/0`));
    }
    expect(out.animations.find((a) => a.key === 'knight_walk_down')!.frames).toHaveLength(4);
    expect(out.animations.find((a) => a.key === 'knight_idle_down')!.frames).toHaveLength(2);
  });

  it('battle_sprites: 4 directions x idle 3, walk 6, jump 2, attack 3; 8_dir_rotation: 8 facings', () => {
    const battle = cut('rd_animation__battle_sprites', false);
    expect(battle.animations.filter((a) => a.direction === 'down').map((a) => [a.action, a.frames.length])).toEqual([['idle', 3], ['walk', 6], ['jump', 2], ['attack', 3]]);
    const rot = cut('rd_animation__8_dir_rotation', true);
    expect(rot.animations.map((a) => a.direction)).toEqual(['down_right', 'down', 'down_left', 'left', 'up_left', 'up', 'up_right', 'right']);
    expect(new Set(rot.frames.map((f) => pixels(rot, f.name))).size).toBe(8);
  });

  it('a manifest layout still overrides the geometry', () => {
    const r = request('rd_animation__four_angle_walking', false);
    r.options.layout = { directions: ['s', 'w', 'e', 'n'], framesPerDirection: 4, order: 'columns' };
    const out = spriteFrames(r, renderPlaceholder(r.payload));
    expect(out.animations.map((a) => a.key)).toEqual(['knight_walk_s', 'knight_walk_w', 'knight_walk_e', 'knight_walk_n']);
  });
});
