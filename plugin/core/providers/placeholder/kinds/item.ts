import { TONES, mix } from '../palette.js';
import type { Look } from '../look.js';
import type { Rng } from '../prng.js';
import type { Sprite } from '../sprite.js';
import type { Box } from './creature.js';

type ItemShape = 'coin' | 'gem' | 'potion' | 'sword' | 'key' | 'heart' | 'shield' | 'apple' | 'star' | 'book' | 'ring' | 'bomb' | 'orb' | 'mushroom' | 'crown';

const ALIASES: Record<string, ItemShape> = {
  coin: 'coin', trophy: 'coin', cup: 'potion', badge: 'coin',
  gem: 'gem', jewel: 'gem', diamond: 'gem', crystal: 'gem', ruby: 'gem', emerald: 'gem', sapphire: 'gem',
  potion: 'potion', flask: 'potion', bottle: 'potion', elixir: 'potion',
  sword: 'sword', blade: 'sword', dagger: 'sword', staff: 'sword', wand: 'sword', axe: 'sword', hammer: 'sword', pickaxe: 'sword', arrow: 'sword', bow: 'sword',
  key: 'key', heart: 'heart', shield: 'shield', armor: 'shield', helmet: 'shield', boots: 'shield',
  apple: 'apple', fruit: 'apple', berry: 'apple', food: 'apple', meat: 'apple', bread: 'apple', cheese: 'apple', carrot: 'apple', egg: 'orb',
  star: 'star', book: 'book', tome: 'book', scroll: 'book', map: 'book', letter: 'book', card: 'book',
  ring: 'ring', amulet: 'ring', bomb: 'bomb', orb: 'orb', pearl: 'orb', bag: 'bomb', pouch: 'bomb',
  mushroom: 'mushroom', crown: 'crown', feather: 'sword', bone: 'sword',
};

export const ITEM_SHAPES: readonly ItemShape[] = ['coin', 'gem', 'potion', 'sword', 'key', 'heart', 'shield', 'apple', 'star', 'book', 'ring', 'bomb', 'orb', 'mushroom', 'crown'];

export function itemShapeFor(subject: string, rng: Rng): ItemShape {
  return ALIASES[subject] ?? rng.pick(ITEM_SHAPES);
}

/** A compact icon centred in the box, leaving a margin for the outline. */
export function drawItem(s: Sprite, b: Box, shape: ItemShape, look: Look, rng: Rng): void {
  const main = s.material(look.primary);
  const second = s.material(look.secondary);
  const x0 = b.x + Math.max(1, Math.round(b.w * 0.12));
  const y0 = b.y + Math.max(1, Math.round(b.h * 0.12));
  const x1 = b.x + b.w - 1 - (x0 - b.x);
  const y1 = b.y + b.h - 1 - (y0 - b.y);
  const w = x1 - x0 + 1;
  const h = y1 - y0 + 1;
  const cx2 = x0 + x1 + 1;
  const cx = cx2 >> 1;
  const u = Math.max(1, Math.round(w / 12));
  switch (shape) {
    case 'coin': {
      s.ellipse(x0 + u, y0, x1 - u, y1, main);
      s.ellipse(x0 + 3 * u, y0 + 2 * u, x1 - 3 * u, y1 - 2 * u, main, 1);
      s.ellipse(x0 + 4 * u, y0 + 3 * u, x1 - 4 * u, y1 - 3 * u, main);
      s.rect(cx - u, y0 + 4 * u, 2 * u, h - 8 * u, main, 4);
      break;
    }
    case 'gem': {
      const mid = y0 + Math.round(h * 0.35);
      s.polygon([[x0 + 2 * u, y0 + u], [x1 + 1 - 2 * u, y0 + u], [x1 + 1, mid], [cx2 / 2, y1 + 1], [x0, mid]], main);
      s.polygon([[x0 + 2 * u, y0 + u], [cx2 / 2, y0 + u], [cx2 / 2 - u, mid], [x0, mid]], main, 3);
      s.polygon([[x0, mid], [cx2 / 2, mid], [cx2 / 2, y1 + 1]], main, 1);
      s.rect(x0 + 3 * u, y0 + 2 * u, u, u, main, 4);
      break;
    }
    case 'potion': {
      const neckW = Math.max(2, Math.round(w * 0.22));
      const glass = s.material(mix(TONES.white, [160, 200, 230], 128));
      s.ellipse(x0 + u, y0 + Math.round(h * 0.3), x1 - u, y1, glass);
      s.ellipse(x0 + 2 * u, y0 + Math.round(h * 0.45), x1 - 2 * u, y1 - u, main);
      s.rect(x0 + 2 * u, y0 + Math.round(h * 0.45), w - 4 * u, Math.max(1, u), main, 3);
      s.rect(cx - (neckW >> 1), y0 + Math.round(h * 0.12), neckW, Math.round(h * 0.22), glass);
      s.rect(cx - (neckW >> 1) - u, y0, neckW + 2 * u, Math.round(h * 0.14), s.material(TONES.wood));
      s.rect(x0 + 3 * u, y0 + Math.round(h * 0.55), u, 2 * u, main, 4);
      break;
    }
    case 'sword': {
      const bladeW = Math.max(2, Math.round(w * 0.16));
      const steel = s.material(TONES.steel);
      s.rect(cx - (bladeW >> 1), y0 + u, bladeW, Math.round(h * 0.62), steel);
      s.polygon([[cx - (bladeW >> 1), y0 + u], [cx - (bladeW >> 1) + bladeW, y0 + u], [cx2 / 2, y0 - u]], steel);
      s.rect(cx - 1 - Math.max(0, (bladeW >> 1) - 1), y0 + 2 * u, 1, Math.round(h * 0.55), steel, 4);
      const guardY = y0 + Math.round(h * 0.66);
      s.rect(x0 + 2 * u, guardY, w - 4 * u, Math.max(2, u + 1), s.material(TONES.gold));
      s.rect(cx - (bladeW >> 1), guardY + 2, bladeW, y1 - guardY - 2 * u, second);
      s.ellipse(cx - bladeW + 1, y1 - 2 * u, cx + bladeW - 2 + (bladeW & 1), y1, s.material(TONES.gold));
      break;
    }
    case 'key': {
      const ringR = Math.round(w * 0.28);
      s.ellipse(cx - ringR, y0, cx + ringR - 1, y0 + 2 * ringR - 1, main);
      for (let y = y0; y < y0 + 2 * ringR; y++) for (let x = cx - ringR; x < cx + ringR; x++) {
        const dx = 2 * x + 1 - cx2;
        const dy = 2 * y + 1 - (2 * y0 + 2 * ringR);
        if (dx * dx + dy * dy < (ringR - 1 - u) * (ringR - 1 - u) * 4) s.clear(x, y);
      }
      const shaftW = Math.max(2, 2 * u);
      s.rect(cx - (shaftW >> 1), y0 + 2 * ringR - 1, shaftW, y1 - y0 - 2 * ringR + 1, main);
      s.rect(cx + (shaftW >> 1), y1 - 4 * u, 3 * u, u + 1, main);
      s.rect(cx + (shaftW >> 1), y1 - u, 2 * u, u + 1, main);
      break;
    }
    case 'heart': {
      const r = w >> 2;
      s.ellipse(x0, y0 + u, cx - 1 + (u >> 1), y0 + u + 2 * r, main);
      s.ellipse(cx2 - 1 - (cx - 1 + (u >> 1)), y0 + u, x1, y0 + u + 2 * r, main);
      s.polygon([[x0, y0 + u + r + 1], [x1 + 1, y0 + u + r + 1], [cx2 / 2, y1 + 1]], main);
      s.rect(x0 + 2 * u, y0 + 3 * u, u + 1, u + 1, main, 4);
      break;
    }
    case 'shield': {
      s.polygon([[x0 + u, y0], [x1 + 1 - u, y0], [x1 + 1 - u, y0 + Math.round(h * 0.5)], [cx2 / 2, y1 + 1], [x0 + u, y0 + Math.round(h * 0.5)]], second);
      s.polygon([[x0 + 3 * u, y0 + 2 * u], [x1 + 1 - 3 * u, y0 + 2 * u], [x1 + 1 - 3 * u, y0 + Math.round(h * 0.5)], [cx2 / 2, y1 + 1 - 3 * u], [x0 + 3 * u, y0 + Math.round(h * 0.5)]], main);
      s.rect(cx - u, y0 + 3 * u, 2 * u, Math.round(h * 0.5), second, 3);
      s.rect(x0 + 4 * u, y0 + Math.round(h * 0.3), w - 8 * u, 2 * u, second, 3);
      break;
    }
    case 'apple': {
      s.ellipse(x0 + u, y0 + 2 * u, x1 - u, y1, main);
      s.rect(cx - (u >> 1) - 1, y0, Math.max(1, u), 3 * u, s.material(TONES.wood));
      s.ellipse(cx + u, y0, cx + 4 * u, y0 + 2 * u, s.material(TONES.leaf));
      s.rect(x0 + 3 * u, y0 + 4 * u, u + 1, 2 * u, main, 4);
      break;
    }
    case 'star': {
      const pts: [number, number][] = [];
      // Ten points of a star from a fixed table: no trigonometry, so no platform rounding.
      const table = [[0, -100], [24, -32], [95, -31], [38, 12], [59, 81], [0, 38], [-59, 81], [-38, 12], [-95, -31], [-24, -32]];
      const rx = w / 2;
      const ry = h / 2;
      for (const [tx, ty] of table) pts.push([cx2 / 2 + (tx! * rx) / 100, y0 + ry + 2 + (ty! * ry) / 100]);
      s.polygon(pts, main);
      s.rect(cx - u, y0 + Math.round(h * 0.35), u, u + 1, main, 4);
      break;
    }
    case 'book': {
      s.rect(x0 + u, y0 + u, w - 2 * u, h - 2 * u, main);
      s.rect(x0 + 2 * u, y1 - 3 * u, w - 3 * u, 2 * u, s.material(TONES.white), 3);
      s.rect(x0 + u, y0 + u, 2 * u, h - 2 * u, main, 1);
      s.rect(cx - 2 * u, y0 + 4 * u, 5 * u, 4 * u, second);
      break;
    }
    case 'ring': {
      const band = s.material(TONES.gold);
      s.ellipse(x0 + u, y0 + Math.round(h * 0.3), x1 - u, y1, band);
      s.ellipse(x0 + 4 * u, y0 + Math.round(h * 0.3) + 3 * u, x1 - 4 * u, y1 - 3 * u, -1);
      for (let y = y0; y <= y1; y++) for (let x = x0; x <= x1; x++) if (s.get(x, y) === -1) s.clear(x, y);
      s.ellipse(cx - 3 * u, y0, cx + 3 * u - 1, y0 + Math.round(h * 0.38), main);
      s.rect(cx - 2 * u, y0 + u, u, u, main, 4);
      break;
    }
    case 'bomb': {
      s.ellipse(x0, y0 + 3 * u, x1, y1, main);
      s.rect(cx - 2 * u, y0 + u, 4 * u, 3 * u, second);
      s.line(cx + u, y0 + u, cx + 3 * u, y0 - 0, s.material(TONES.wood));
      s.rect(x0 + 3 * u, y0 + 6 * u, u + 1, u + 1, main, 4);
      break;
    }
    case 'orb': {
      s.ellipse(x0 + u, y0 + u, x1 - u, y1 - u, main);
      s.ellipse(x0 + 3 * u, y0 + 3 * u, cx, cx2 / 2 - x0, main, 3);
      s.rect(x0 + 3 * u, y0 + 3 * u, u + 1, u + 1, main, 4);
      break;
    }
    case 'mushroom': {
      const stem = s.material(mix(TONES.white, TONES.sand, 120));
      s.rect(cx - 2 * u, y0 + Math.round(h * 0.45), 4 * u, y1 - y0 - Math.round(h * 0.45), stem);
      s.ellipse(x0, y0 + u, x1, y0 + Math.round(h * 0.75), main);
      for (let y = y0 + Math.round(h * 0.55); y <= y1; y++) for (let x = x0; x <= x1; x++) if (s.get(x, y) === main) s.clear(x, y);
      s.rect(cx - 2 * u, y0 + Math.round(h * 0.5), 4 * u, y1 - y0 - Math.round(h * 0.5), stem);
      const spot = s.material(TONES.white);
      s.rect(x0 + 3 * u, y0 + 3 * u, 2 * u, 2 * u, spot, 3);
      s.rect(cx + u, y0 + 2 * u, 2 * u, 2 * u, spot, 3);
      break;
    }
    case 'crown': {
      const base = y0 + Math.round(h * 0.3);
      s.polygon([[x0, base], [x0 + Math.round(w * 0.25), base + Math.round(h * 0.25)], [cx2 / 2, y0 + u], [x1 + 1 - Math.round(w * 0.25), base + Math.round(h * 0.25)], [x1 + 1, base], [x1 + 1, y1 - 2 * u], [x0, y1 - 2 * u]], main);
      s.rect(x0, y1 - 5 * u, w, 2 * u, main, 1);
      s.rect(cx - u, y1 - 5 * u, 2 * u, 2 * u, second, 3);
      break;
    }
  }
  if (rng.chance(1, 4) && w >= 24) {
    s.dot(x1 - u, y0 + u, TONES.white);
  }
}
