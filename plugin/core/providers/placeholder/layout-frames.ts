import { STYLE_LAYOUTS, sheetPlacement, type StyleLayout } from '../../animation-layout.js';
import { createImage, type RgbaImage } from '../../image/bitmap.js';
import type { Look } from './look.js';
import type { PromptReading } from './prompt.js';
import type { Rng } from './prng.js';
import { blit, walkFrames, WALK_CELL } from './walk.js';

/**
 * Frames for the styles whose answer is a grid of actions (STYLE_LAYOUTS): drawn in the layout's
 * cell order, so the offline art and the emulator's answers slice into the same named animations
 * as the API's.
 */
export function layoutFrames(style: string, size: { width: number; height: number }, reading: PromptReading, look: Look, rng: Rng): RgbaImage[] | undefined {
  const layout = STYLE_LAYOUTS[style];
  if (!layout || layout.cellsPerDirection === 'any') return undefined;
  const dirs = { directions: [...layout.directions], framesPerDirection: 4, order: 'rows' as const };
  if (style === 'rd_animation__four_angle_walking_idle') {
    // Columns I1, W1, W2, W3: a planted idle pose, then three walk phases.
    const idle = walkFrames(reading, look, rng.fork('idle'), true, dirs);
    const walk = walkFrames(reading, look, rng.fork('walk'), false, dirs);
    return layout.directions.flatMap((_, d) => [idle[d * 4]!, walk[d * 4]!, walk[d * 4 + 1]!, walk[d * 4 + 2]!]);
  }
  if (style === 'rd_animation__battle_sprites') {
    const idle = walkFrames(reading, look, rng.fork('idle'), true, dirs);
    const walk = walkFrames(reading, look, rng.fork('walk'), false, dirs);
    const place = (img: RgbaImage, dx = 0, dy = 0): RgbaImage => {
      const out = createImage(size.width, size.height);
      blit(out, img, ((size.width - WALK_CELL) >> 1) + dx, ((size.height - WALK_CELL) >> 1) + dy);
      return out;
    };
    return layout.directions.flatMap((dir, d) => {
      const at = (list: RgbaImage[], i: number) => list[d * 4 + (i % 4)]!;
      const lunge = dir === 'left' ? -1 : dir === 'right' ? 1 : 0;
      const reach = dir === 'up' ? -1 : dir === 'down' ? 1 : 0;
      return [
        place(at(idle, 0)), place(at(idle, 2)), place(at(idle, 3)), // idle
        ...[0, 1, 2, 3, 0, 1].map((i) => place(at(walk, i))), // walk
        place(at(idle, 0), 0, -6), place(at(idle, 0), 0, -10), // jump
        place(at(walk, 0), 2 * lunge, 2 * reach), place(at(walk, 1), 5 * lunge, 5 * reach), place(at(walk, 2), 2 * lunge, 2 * reach), // attack
      ];
    });
  }
  return undefined;
}

/** A `return_spritesheet` PNG of these frames, each cell where the layout puts it. */
export function layoutSheet(frames: RgbaImage[], layout: StyleLayout): RgbaImage {
  const per = layout.cellsPerDirection === 'any' ? frames.length / layout.directions.length : layout.cellsPerDirection;
  const grid = sheetPlacement(layout, per);
  const w = frames[0]!.width;
  const h = frames[0]!.height;
  const sheet = createImage(grid.cols * w, grid.rows * h);
  grid.cells.forEach(([c, r], i) => {
    if (frames[i]) blit(sheet, frames[i]!, c * w, r * h);
  });
  return sheet;
}
