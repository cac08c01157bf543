import { DEFAULT_WALK_LAYOUT, sheetCell, sheetGrid, type AnimationLayout } from '../../animation-layout.js';
import { createImage, type RgbaImage } from '../../image/bitmap.js';
import type { Look } from './look.js';
import type { PromptReading } from './prompt.js';
import type { Rng } from './prng.js';
import { Sprite } from './sprite.js';
import { drawBlob, drawCreature } from './kinds/creature.js';
import { drawHumanoid, type Facing } from './kinds/humanoid.js';

export const WALK_CELL = 48;
export const WALK_DELAY_MS = 100;

/** Contact, passing, contact, passing: legs alternate, and the body rides up on the passing frames. */
const STRIDE = [-1, 0, 1, 0];
const BOB = [0, 1, 0, 1];
/** Idle: feet planted, a slow breath. */
const IDLE_BOB = [0, 0, 1, 1];

/**
 * The 16 frames of a walking cycle in the layout's order: direction by direction (down, left,
 * right, up by default), `framesPerDirection` frames each. Humanoids really walk; blobs hop.
 */
export function walkFrames(reading: PromptReading, look: Look, rng: Rng, idle: boolean, layout: AnimationLayout = DEFAULT_WALK_LAYOUT): RgbaImage[] {
  const frames: RgbaImage[] = [];
  const body = reading.kind === 'creature' ? reading.body : 'humanoid';
  const subject = reading.kind === 'creature' ? reading.subject : 'hero';
  for (const dir of layout.directions) {
    const facing = (['down', 'left', 'right', 'up'].includes(dir) ? dir : 'down') as Facing;
    for (let f = 0; f < layout.framesPerDirection; f++) {
      const phase = f % 4;
      const s = new Sprite(WALK_CELL, WALK_CELL);
      const box = { x: 10, y: 5, w: 28, h: 40 };
      if (body === 'humanoid') {
        drawHumanoid(s, box, subject, look, {
          facing: facing === 'right' ? 'left' : facing,
          stride: idle ? 0 : STRIDE[phase]!,
          bob: idle ? IDLE_BOB[phase]! : BOB[phase]!,
        });
        if (facing === 'right') s.flipX();
      } else if (body === 'blob') {
        drawBlob(s, { x: 8, y: 14, w: 32, h: 30 }, subject, look, rng.fork('blob'), idle ? IDLE_BOB[phase]! : [0, 2, 0, 1][phase]!);
      } else {
        drawCreature(s, { x: 8, y: 8, w: 32, h: 36 }, body, subject, look, rng.fork('walk'));
        const bob = idle ? IDLE_BOB[phase]! : BOB[phase]!;
        s.shift(facing === 'left' ? -(phase & 1) : facing === 'right' ? phase & 1 : 0, -bob);
      }
      frames.push(s.toImage({ band: 2 }));
    }
  }
  return frames;
}

/** The same frames on one sheet: `sheetCell` decides where each goes (rows = directions by default). */
export function walkSheet(frames: RgbaImage[], layout: AnimationLayout = DEFAULT_WALK_LAYOUT): RgbaImage {
  const grid = sheetGrid(layout);
  const sheet = createImage(grid.cols * WALK_CELL, grid.rows * WALK_CELL);
  layout.directions.forEach((_, d) => {
    for (let f = 0; f < layout.framesPerDirection; f++) {
      const frame = frames[d * layout.framesPerDirection + f]!;
      const { col, row } = sheetCell(layout, d, f);
      blit(sheet, frame, col * WALK_CELL, row * WALK_CELL);
    }
  });
  return sheet;
}

export function blit(dst: RgbaImage, src: RgbaImage, ox: number, oy: number): void {
  for (let y = 0; y < src.height; y++) {
    const dy = y + oy;
    if (dy < 0 || dy >= dst.height) continue;
    for (let x = 0; x < src.width; x++) {
      const dx = x + ox;
      if (dx < 0 || dx >= dst.width) continue;
      const si = (y * src.width + x) * 4;
      if (src.data[si + 3] === 0) continue;
      const di = (dy * dst.width + dx) * 4;
      dst.data[di] = src.data[si]!;
      dst.data[di + 1] = src.data[si + 1]!;
      dst.data[di + 2] = src.data[si + 2]!;
      dst.data[di + 3] = src.data[si + 3]!;
    }
  }
}
