import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { mix, ramp, type Rgb } from './palette.js';
import type { Look } from './look.js';
import type { PromptReading } from './prompt.js';
import type { Rng } from './prng.js';
import { Sprite } from './sprite.js';
import { drawSubject } from './still.js';
import { drawHumanoid, type Facing } from './kinds/humanoid.js';
import { forEllipse } from './sprite.js';

export const ANIMATION_DELAY_MS = 100;

/** Frame counts per animated style (what the API's answers hold, near enough). */
export function frameCountFor(style: string): number {
  if (/vfx/.test(style)) return 8;
  if (/8_dir_rotation|advanced_animation__rotate/.test(style)) return 8;
  if (/small_sprites/.test(style)) return 4;
  if (/walking|jump|attack|crouch|destroy/.test(style)) return 6;
  return 8;
}

/**
 * Frames of a non-walking animation at w x h: vfx is a burst of light and sparks; a rotation turns
 * the figure through its four facings; everything else breathes and bobs (jump and attack move more).
 */
export function animationFrames(style: string, w: number, h: number, reading: PromptReading, look: Look, rng: Rng): RgbaImage[] {
  const n = frameCountFor(style);
  const frames: RgbaImage[] = [];
  if (/vfx/.test(style)) {
    for (let f = 0; f < n; f++) frames.push(burst(w, h, f, n, look, rng.fork('vfx')));
    return frames;
  }
  const m = Math.max(1, Math.round(Math.min(w, h) * 0.1));
  const box = { x: m, y: m, w: w - 2 * m, h: h - 2 * m };
  for (let f = 0; f < n; f++) {
    const s = new Sprite(w, h);
    if (/8_dir_rotation|advanced_animation__rotate/.test(style)) {
      // The layout's facings: down-right, down, down-left, left, up-left, up, up-right, right.
      const facings: Facing[] = ['down', 'down', 'down', 'left', 'up', 'up', 'up', 'left'];
      const facing = facings[f % 8]!;
      const humanoidBox = { x: box.x + (box.w >> 2), y: box.y, w: box.w >> 1, h: box.h };
      drawHumanoid(s, humanoidBox, reading.kind === 'creature' ? reading.subject : 'hero', look, { facing, stride: 0, bob: 0 });
      if (f === 7) s.flipX();
      // Diagonals lean toward their side, so the eight facings differ.
      if (f === 0 || f === 6) s.shift(2, 0);
      if (f === 2 || f === 4) s.shift(-2, 0);
    } else if (/walking/.test(style) && (reading.kind !== 'creature' || reading.body === 'humanoid')) {
      const humanoidBox = { x: box.x + (box.w >> 2), y: box.y, w: box.w >> 1, h: box.h };
      drawHumanoid(s, humanoidBox, reading.subject || 'hero', look, { facing: 'left', stride: [-1, 0, 1, 0][f % 4]!, bob: f & 1 });
      s.flipX();
    } else {
      drawSubject(s, box, reading, look, rng.fork('anim'));
      const amp = /jump/.test(style) ? Math.max(2, Math.round(h * 0.15)) : /attack/.test(style) ? 0 : 1;
      // A triangle wave, so the motion loops without trigonometry.
      const tri = f < n / 2 ? f : n - f;
      const lunge = /attack/.test(style) ? Math.round((tri * w * 0.08) / (n / 2)) : 0;
      s.shift(lunge, -Math.round((tri * amp) / Math.max(1, n / 2)));
    }
    frames.push(s.toImage({ band: 2 }));
  }
  return frames;
}

function burst(w: number, h: number, f: number, n: number, look: Look, rng: Rng): RgbaImage {
  const img = createImage(w, h);
  const r = ramp(look.primary);
  const cx2 = w;
  const cy2 = h;
  const maxR = Math.min(w, h) >> 1;
  const radius = Math.max(1, Math.round(((f + 1) * maxR) / n));
  const inner = Math.max(0, radius - Math.max(2, Math.round(maxR / 4)) - Math.round((f * maxR) / (2 * n)));
  const put = (x: number, y: number, c: Rgb): void => {
    if (x < 0 || y < 0 || x >= w || y >= h) return;
    const o = (y * w + x) * 4;
    img.data[o] = c[0];
    img.data[o + 1] = c[1];
    img.data[o + 2] = c[2];
    img.data[o + 3] = 255;
  };
  const core: Rgb = f < n / 2 ? mix(r[4], [255, 255, 240], 160) : r[3];
  forEllipse((cx2 >> 1) - radius, (cy2 >> 1) - radius, (cx2 >> 1) + radius - 1, (cy2 >> 1) + radius - 1, (x, y) => put(x, y, f < n - 2 ? r[2] : r[1]));
  if (inner > 0) forEllipse((cx2 >> 1) - inner, (cy2 >> 1) - inner, (cx2 >> 1) + inner - 1, (cy2 >> 1) + inner - 1, (x, y) => put(x, y, f < n / 2 ? core : [0, 0, 0]));
  if (inner > 0 && f >= n / 2) {
    forEllipse((cx2 >> 1) - inner, (cy2 >> 1) - inner, (cx2 >> 1) + inner - 1, (cy2 >> 1) + inner - 1, (x, y) => {
      img.data[(y * w + x) * 4 + 3] = 0;
    });
  }
  // Sparks flying outward along fixed directions (a table, not trigonometry).
  const dirs = [[0, -10], [7, -7], [10, 0], [7, 7], [0, 10], [-7, 7], [-10, 0], [-7, -7]];
  const reach = Math.round(((f + 2) * maxR) / n);
  for (const [dx, dy] of dirs) {
    const jitter = rng.int(3) - 1;
    const x = (cx2 >> 1) + Math.round((dx! * reach) / 10) + jitter;
    const y = (cy2 >> 1) + Math.round((dy! * reach) / 10) - jitter;
    put(x, y, r[4]);
    put(x + 1, y, r[3]);
  }
  return img;
}
