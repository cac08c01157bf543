import { TONES, mix } from '../palette.js';
import type { Look } from '../look.js';
import type { Rng } from '../prng.js';
import type { Sprite } from '../sprite.js';
import type { Box } from './creature.js';

type PropShape = 'tree' | 'pine' | 'rock' | 'chest' | 'bush' | 'barrel' | 'crate' | 'flower' | 'sign' | 'torch' | 'cactus' | 'house';

const ALIASES: Record<string, PropShape> = {
  tree: 'tree', oak: 'tree', palm: 'tree', stump: 'crate', log: 'barrel', pine: 'pine',
  rock: 'rock', boulder: 'rock', stone: 'rock', statue: 'rock', tombstone: 'sign', grave: 'sign', altar: 'crate',
  chest: 'chest', treasure: 'chest', bush: 'bush', shrub: 'bush', plant: 'bush',
  barrel: 'barrel', pot: 'barrel', vase: 'barrel', well: 'barrel', fountain: 'barrel',
  crate: 'crate', box: 'crate', table: 'crate', bed: 'crate', chair: 'crate', anvil: 'crate',
  flower: 'flower', sign: 'sign', signpost: 'sign', door: 'sign', fence: 'sign',
  torch: 'torch', lamp: 'torch', campfire: 'torch', fire: 'torch', pillar: 'torch', column: 'torch',
  cactus: 'cactus', house: 'house', hut: 'house', tent: 'house',
};

const SHAPES: readonly PropShape[] = ['tree', 'pine', 'rock', 'chest', 'bush', 'barrel', 'crate', 'flower', 'sign', 'torch', 'cactus', 'house'];

export function propShapeFor(subject: string, rng: Rng): PropShape {
  return ALIASES[subject] ?? rng.pick(SHAPES);
}

/** A prop standing on the bottom of the box. */
export function drawProp(s: Sprite, b: Box, shape: PropShape, look: Look, rng: Rng): void {
  const x0 = b.x + Math.max(1, Math.round(b.w * 0.06));
  const y0 = b.y + Math.max(1, Math.round(b.h * 0.06));
  const x1 = b.x + b.w - 1 - (x0 - b.x);
  const y1 = b.y + b.h - 2;
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const cx2 = x0 + x1 + 1;
  const cx = cx2 >> 1;
  const u = Math.max(1, Math.round(w / 14));
  const main = s.material(look.primary);
  switch (shape) {
    case 'tree': {
      const trunk = s.material(TONES.wood);
      const tw = Math.max(2, Math.round(w * 0.14));
      s.rect(cx - (tw >> 1) - (tw & 1), y0 + Math.round(h * 0.55), tw + (tw & 1) * 2 - (tw & 1), h - Math.round(h * 0.55), trunk);
      s.rect(cx - tw, y1 - u, 2 * tw, u + 1, trunk);
      // Canopy: overlapping blobs, mirrored.
      s.ellipse(x0, y0 + Math.round(h * 0.22), cx + u, y0 + Math.round(h * 0.66), main);
      s.ellipse(x0 + Math.round(w * 0.18), y0, cx2 - 1 - x0 - Math.round(w * 0.18), y0 + Math.round(h * 0.5), main);
      s.mirrorX(b.x, b.w);
      for (let i = 0; i < 3 + rng.int(3); i++) {
        const fx = x0 + 2 * u + rng.int(Math.max(1, w - 4 * u));
        const fy = y0 + 2 * u + rng.int(Math.max(1, Math.round(h * 0.4)));
        if (s.get(fx, fy) === main) s.rect(fx, fy, u, u, main, 4);
      }
      break;
    }
    case 'pine': {
      const trunk = s.material(TONES.wood);
      s.rect(cx - u, y1 - Math.round(h * 0.18), 2 * u, Math.round(h * 0.18) + 1, trunk);
      const tiers = 3;
      for (let t = 0; t < tiers; t++) {
        const ty = y0 + Math.round((t * h * 0.75) / tiers);
        const half = Math.round((w / 2) * (0.5 + (0.5 * (t + 1)) / tiers));
        s.polygon([[cx2 / 2, ty], [cx2 / 2 + half, ty + Math.round(h * 0.35)], [cx2 / 2 - half, ty + Math.round(h * 0.35)]], main);
      }
      break;
    }
    case 'rock': {
      s.ellipse(x0, y0 + Math.round(h * 0.3), x1, y1, main);
      s.ellipse(x0 + Math.round(w * 0.15), y0 + Math.round(h * 0.15), x1 - Math.round(w * 0.25), y1 - Math.round(h * 0.2), main);
      s.line(cx, y0 + Math.round(h * 0.45), cx + 2 * u, y0 + Math.round(h * 0.65), main, 1);
      if (rng.chance(1, 2)) s.ellipse(x0 + u, y1 - 3 * u, x0 + 5 * u, y1, s.material(mix(TONES.leaf, main === -1 ? TONES.leaf : look.primary, 40)));
      break;
    }
    case 'chest': {
      const wood = s.material(look.primary);
      const metal = s.material(TONES.gold);
      const top = y0 + Math.round(h * 0.25);
      const lid = top + Math.round(h * 0.3);
      s.ellipse(x0, top, x1, lid + Math.round(h * 0.15), wood);
      s.rect(x0, lid, w, y1 - lid + 1, wood);
      s.rect(x0, lid, w, Math.max(1, u), metal);
      s.rect(x0 + 2 * u, top, 2 * u, y1 - top + 1, metal);
      s.rect(x1 + 1 - 4 * u, top, 2 * u, y1 - top + 1, metal);
      s.rect(cx - 2 * u, lid - u, 4 * u, 4 * u, metal, 3);
      s.rect(cx - (u >> 1) - 1, lid + u, Math.max(1, u), u + 1, s.material([30, 24, 40]));
      break;
    }
    case 'bush': {
      s.ellipse(x0, y0 + Math.round(h * 0.35), cx + u, y1, main);
      s.ellipse(x0 + Math.round(w * 0.2), y0 + Math.round(h * 0.15), cx2 - 1 - x0 - Math.round(w * 0.2), y1 - Math.round(h * 0.2), main);
      s.mirrorX(b.x, b.w);
      const berry = s.material(look.secondary === look.primary ? TONES.red : look.secondary);
      for (let i = 0; i < 4; i++) {
        const bx = x0 + 3 * u + rng.int(Math.max(1, (w >> 1) - 3 * u));
        const by = y0 + Math.round(h * 0.4) + rng.int(Math.max(1, Math.round(h * 0.4)));
        if (s.get(bx, by) === main) s.rect(bx, by, u, u, berry, 3);
      }
      s.mirrorX(b.x, b.w);
      break;
    }
    case 'barrel': {
      s.ellipse(x0 + u, y0, x1 - u, y1, main);
      s.rect(x0 + 2 * u, y0, w - 4 * u, h, main);
      const hoop = s.material(TONES.steel);
      s.rect(x0 + u, y0 + Math.round(h * 0.2), w - 2 * u, u + 1, hoop);
      s.rect(x0 + u, y1 - Math.round(h * 0.2), w - 2 * u, u + 1, hoop);
      s.rect(cx - Math.round(w * 0.2), y0 + 2 * u, Math.max(1, u), h - 4 * u, main, 1);
      s.rect(cx + Math.round(w * 0.2), y0 + 2 * u, Math.max(1, u), h - 4 * u, main, 1);
      break;
    }
    case 'crate': {
      const wood = s.material(mix(look.primary, TONES.wood, 80));
      s.rect(x0, y0 + Math.round(h * 0.1), w, h - Math.round(h * 0.1), wood);
      s.rect(x0 + 2 * u, y0 + Math.round(h * 0.1) + 2 * u, w - 4 * u, h - Math.round(h * 0.1) - 4 * u, wood, 1);
      s.line(x0 + 2 * u, y0 + Math.round(h * 0.1) + 2 * u, x1 - 2 * u, y1 - 2 * u, wood, 3);
      s.line(x0 + 2 * u + 1, y0 + Math.round(h * 0.1) + 2 * u, x1 - 2 * u + 1, y1 - 2 * u, wood, 3);
      break;
    }
    case 'flower': {
      const stem = s.material(TONES.leaf);
      s.rect(cx - (u >> 1) - 1, y0 + Math.round(h * 0.4), Math.max(2, u), h - Math.round(h * 0.4), stem);
      s.ellipse(cx - 5 * u, y1 - Math.round(h * 0.3), cx - u, y1 - Math.round(h * 0.15), stem);
      s.mirrorX(b.x, b.w);
      const pr = Math.round(w * 0.18);
      const py = y0 + Math.round(h * 0.25);
      s.ellipse(cx - pr * 2, py - pr, cx, py + pr, main);
      s.ellipse(cx - pr, py - 2 * pr, cx2 - 1 - (cx - pr), py, main);
      s.ellipse(cx - pr, py, cx2 - 1 - (cx - pr), py + 2 * pr, main);
      s.mirrorX(b.x, b.w);
      s.ellipse(cx - u - 1, py - u - 1, cx2 - 1 - (cx - u - 1), py + u + 1, s.material(TONES.gold));
      break;
    }
    case 'sign': {
      const wood = s.material(TONES.wood);
      s.rect(cx - u, y0 + Math.round(h * 0.4), 2 * u, h - Math.round(h * 0.4), wood);
      s.rect(x0, y0 + Math.round(h * 0.1), w, Math.round(h * 0.45), main);
      for (let y = y0 + Math.round(h * 0.2); y < y0 + Math.round(h * 0.5); y += 2 * u + 1) s.rect(x0 + 3 * u, y, w - 6 * u, u, main, 1);
      break;
    }
    case 'torch': {
      const wood = s.material(TONES.wood);
      s.rect(cx - u, y0 + Math.round(h * 0.4), 2 * u, h - Math.round(h * 0.4), wood);
      const flame = s.material([236, 140, 40]);
      s.ellipse(cx - 3 * u, y0 + Math.round(h * 0.12), cx + 3 * u - 1, y0 + Math.round(h * 0.44), flame);
      s.polygon([[cx2 / 2 - 2 * u, y0 + Math.round(h * 0.2)], [cx2 / 2 + 2 * u, y0 + Math.round(h * 0.2)], [cx2 / 2, y0]], flame);
      s.ellipse(cx - u, y0 + Math.round(h * 0.26), cx + u - 1, y0 + Math.round(h * 0.4), s.material([255, 236, 120]), 3);
      break;
    }
    case 'cactus': {
      const aw = Math.max(2, Math.round(w * 0.16));
      s.rect(cx - aw, y0 + u, 2 * aw, h - u, main);
      s.ellipse(cx - aw, y0, cx + aw - 1, y0 + 2 * aw, main);
      s.rect(x0 + 2 * u, y0 + Math.round(h * 0.3), aw, Math.round(h * 0.3), main);
      s.rect(x0 + 2 * u, y0 + Math.round(h * 0.55), cx - x0 - 2 * u, aw, main);
      s.mirrorX(b.x, b.w);
      break;
    }
    case 'house': {
      const wall = s.material(look.primary);
      const roof = s.material(look.secondary);
      const roofY = y0 + Math.round(h * 0.42);
      s.rect(x0 + 2 * u, roofY, w - 4 * u, y1 - roofY + 1, wall);
      s.polygon([[x0 - 0, roofY + u], [cx2 / 2, y0], [x1 + 1, roofY + u]], roof);
      s.rect(cx - 2 * u, y1 - Math.round(h * 0.3), 4 * u, Math.round(h * 0.3) + 1, s.material(TONES.wood));
      s.rect(x0 + 4 * u, roofY + 3 * u, 3 * u, 3 * u, s.material([120, 180, 230]), 3);
      s.mirrorX(b.x, b.w);
      s.rect(cx - 2 * u, y1 - Math.round(h * 0.3), 4 * u, Math.round(h * 0.3) + 1, s.material(TONES.wood));
      break;
    }
  }
}
