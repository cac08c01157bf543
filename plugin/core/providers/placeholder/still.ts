import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { backgroundFor, TONES, type Rgb } from './palette.js';
import { lookFor, type Look } from './look.js';
import type { PromptReading } from './prompt.js';
import type { Rng } from './prng.js';
import { Sprite } from './sprite.js';
import type { StyleTraits } from './style.js';
import { drawCreature, type Box } from './kinds/creature.js';
import { drawHumanoid, type Facing } from './kinds/humanoid.js';
import { drawItem, itemShapeFor, ITEM_SHAPES } from './kinds/item.js';
import { drawProp, propShapeFor } from './kinds/prop.js';
import { drawTexture, TEXTURE_FALLBACK, textureShapeFor } from './kinds/texture.js';
import { drawUi } from './kinds/ui.js';
import { blit } from './walk.js';
import type { Torus } from './torus.js';

export interface StillRequest {
  width: number;
  height: number;
  reading: PromptReading;
  traits: StyleTraits;
  rng: Rng;
  transparent: boolean;
  tileX: boolean;
  tileY: boolean;
}

/**
 * One still image at exactly width x height. Sprites are drawn on a design grid of at most about
 * 64 pixels and enlarged by a whole factor, so a 256px request still looks like pixel art.
 */
export function renderStill(req: StillRequest): RgbaImage {
  const { reading, traits, rng } = req;
  const look = lookFor(reading, rng.fork('look'));
  const layout = traits.layout;
  const tiled = req.tileX || req.tileY;
  if (layout === 'texture' || (reading.kind === 'texture' && layout === 'single') || (tiled && layout === 'single')) {
    return renderTexture(req, look);
  }
  // Sheets hold several figures, so they get a finer design grid than a single sprite.
  const k = designScale(req.width, req.height, layout === 'item_sheet' || layout === 'turnaround' ? 128 : 64);
  const dw = Math.floor(req.width / k);
  const dh = Math.floor(req.height / k);
  const s = new Sprite(dw, dh);
  const box = inset(dw, dh, layout === 'ui' ? 0 : Math.max(1, Math.round(Math.min(dw, dh) * 0.06)));
  if (layout === 'ui' || (reading.kind === 'ui' && layout === 'single')) drawUi(s, box, reading.subject || 'panel', look);
  else if (layout === 'item_sheet') drawItemSheet(s, box, reading, look, rng);
  else if (layout === 'turnaround') drawTurnaround(s, box, reading, look, rng);
  else if (layout === 'portrait') drawPortrait(s, box, reading, look, rng);
  else drawSubject(s, box, reading, look, rng);
  const background = req.transparent ? undefined : backgroundFor(look.primary);
  const small = s.toImage({ background, outline: traits.outline, band: traits.detail === 2 ? Math.max(2, Math.round(Math.min(dw, dh) / 10)) : undefined, flat: traits.detail === 0 });
  return enlarge(small, k, req.width, req.height, background);
}

export function drawSubject(s: Sprite, box: Box, reading: PromptReading, look: Look, rng: Rng): void {
  switch (reading.kind) {
    case 'item':
      drawItem(s, box, itemShapeFor(reading.subject, rng.fork('shape')), look, rng.fork('item'));
      return;
    case 'prop':
      drawProp(s, box, propShapeFor(reading.subject, rng.fork('shape')), look, rng.fork('prop'));
      return;
    case 'ui':
      drawUi(s, box, reading.subject, look);
      return;
    default:
      drawCreature(s, box, reading.body, reading.subject, look, rng.fork('creature'));
  }
}

function renderTexture(req: StillRequest, look: Look): RgbaImage {
  const shape = textureShapeFor(req.reading.kind === 'texture' ? req.reading.subject : '');
  const base: Rgb = req.reading.colours[0] ?? (req.reading.kind === 'texture' ? TEXTURE_FALLBACK[shape] : look.primary);
  // Only a whole factor that divides the size keeps the wrap exact after enlarging.
  const k = designScale(req.width, req.height, 48, true);
  const torus: Torus = {
    w: req.width / k,
    h: req.height / k,
    // Texture styles are tiles by nature; otherwise only the requested axes wrap.
    wrapX: req.tileX || req.traits.layout === 'texture',
    wrapY: req.tileY || req.traits.layout === 'texture',
    seed: req.rng.u32(),
  };
  // A tiled request for something that is not a material: the subject on a seamless ground.
  if (req.reading.kind !== 'texture' && req.traits.layout !== 'texture') {
    const ground = drawTexture({ ...torus, wrapX: req.tileX, wrapY: req.tileY }, 'grass', TONES.leaf, req.traits.detail);
    const side = Math.max(8, Math.round(Math.min(torus.w, torus.h) * 0.6));
    const s = new Sprite(side, side);
    drawSubject(s, inset(side, side, 1), req.reading, look, req.rng.fork('motif'));
    blit(ground, s.toImage(), (torus.w - side) >> 1, (torus.h - side) >> 1);
    return enlarge(ground, k, req.width, req.height, undefined);
  }
  const img = drawTexture(torus, shape, base, req.traits.detail);
  return enlarge(img, k, req.width, req.height, undefined);
}

function drawItemSheet(s: Sprite, box: Box, reading: PromptReading, look: Look, rng: Rng): void {
  const n = Math.min(box.w, box.h) >= 54 ? 3 : 2;
  const cw = Math.floor(box.w / n);
  const ch = Math.floor(box.h / n);
  const first = reading.kind === 'item' ? itemShapeFor(reading.subject, rng) : undefined;
  const pool = ITEM_SHAPES.filter((sh) => sh !== first);
  const spare: Rgb[] = [TONES.red, TONES.blue, TONES.gold, TONES.green, TONES.purple, [230, 120, 36], [60, 200, 220]];
  for (let i = 0; i < n * n; i++) {
    const shape = i === 0 && first ? first : pool.splice(rng.int(pool.length), 1)[0]!;
    const itemLook: Look = i === 0 ? look : { ...look, primary: reading.colours[i % Math.max(1, reading.colours.length)] ?? rng.pick(spare) };
    drawItem(s, inset2({ x: box.x + (i % n) * cw, y: box.y + Math.floor(i / n) * ch, w: cw, h: ch }, 2), shape, itemLook, rng.fork(`item${i}`));
  }
}

function drawTurnaround(s: Sprite, box: Box, reading: PromptReading, look: Look, rng: Rng): void {
  const facings: Facing[] = ['down', 'left', 'up', 'right'];
  const wide = box.w >= box.h * 2;
  const cols = wide ? 4 : 2;
  const rows = wide ? 1 : 2;
  const cw = Math.floor(box.w / cols);
  const ch = Math.floor(box.h / rows);
  const humanoid = reading.kind !== 'creature' || reading.body === 'humanoid';
  facings.forEach((facing, i) => {
    const cell = inset2({ x: box.x + (i % cols) * cw, y: box.y + Math.floor(i / cols) * ch, w: cw, h: ch }, 1);
    // Each pose is drawn on its own canvas so the right-facing one can be a mirror of the left.
    const one = new Sprite(cell.w, cell.h);
    const fig = fitAspect({ x: 0, y: 0, w: cell.w, h: cell.h }, 0.7);
    if (humanoid) {
      drawHumanoid(one, fig, reading.kind === 'creature' ? reading.subject : 'hero', look, { facing: facing === 'right' ? 'left' : facing, stride: 0, bob: 0 });
    } else {
      drawCreature(one, fig, reading.body, reading.subject, look, rng.fork('turn'));
    }
    if (facing === 'right') one.flipX();
    s.paste(one, cell.x, cell.y);
  });
}

function drawPortrait(s: Sprite, box: Box, reading: PromptReading, look: Look, rng: Rng): void {
  // The head and shoulders: draw the figure twice as tall and let the canvas crop the legs.
  const big = { x: box.x - (box.w >> 1), y: box.y + 1, w: box.w * 2, h: box.h * 2 };
  if (reading.kind === 'creature') drawCreature(s, big, reading.body, reading.subject, look, rng.fork('portrait'));
  else drawSubject(s, box, reading, look, rng);
}

function fitAspect(b: Box, ratio: number): Box {
  const w = Math.min(b.w, Math.round(b.h * ratio));
  return { x: b.x + ((b.w - w) >> 1), y: b.y, w, h: b.h };
}

function inset(w: number, h: number, m: number): Box {
  return { x: m, y: m, w: w - 2 * m, h: h - 2 * m };
}

function inset2(b: Box, m: number): Box {
  return { x: b.x + m, y: b.y + m, w: b.w - 2 * m, h: b.h - 2 * m };
}

/** The whole factor that keeps the design grid near `target` pixels; with `exact`, it divides both sides. */
export function designScale(w: number, h: number, target: number, exact = false): number {
  let k = Math.max(1, Math.floor(Math.min(w, h) / target));
  if (exact) while (k > 1 && (w % k !== 0 || h % k !== 0)) k--;
  return k;
}

/** Nearest-neighbour enlargement by k, centred in w x h; any leftover border takes the background. */
export function enlarge(img: RgbaImage, k: number, w: number, h: number, background: Rgb | undefined): RgbaImage {
  if (k === 1 && img.width === w && img.height === h) return img;
  const out = createImage(w, h);
  if (background) {
    for (let i = 0; i < out.data.length; i += 4) {
      out.data[i] = background[0];
      out.data[i + 1] = background[1];
      out.data[i + 2] = background[2];
      out.data[i + 3] = 255;
    }
  }
  const ox = (w - img.width * k) >> 1;
  const oy = (h - img.height * k) >> 1;
  for (let y = 0; y < img.height * k; y++) {
    for (let x = 0; x < img.width * k; x++) {
      const si = (Math.floor(y / k) * img.width + Math.floor(x / k)) * 4;
      const di = ((y + oy) * w + x + ox) * 4;
      out.data[di] = img.data[si]!;
      out.data[di + 1] = img.data[si + 1]!;
      out.data[di + 2] = img.data[si + 2]!;
      out.data[di + 3] = img.data[si + 3]!;
    }
  }
  return out;
}
