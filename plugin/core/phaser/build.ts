import { createHash } from 'node:crypto';
import { RetroSpritesError } from '../errors.js';
import { createImage, type RgbaImage } from '../image/bitmap.js';
import { byName } from '../order.js';
import type { AtlasFrame, AtlasOptions, BuiltAtlas, SpriteOutput, SpriteSource } from './atlas.js';
import { decodeFrames, spriteFrames, type AnimationSpec, type Decode, type NamedFrame, type NamedImage } from './frames.js';
import { packRects } from '../image/pack.js';
import { blitExtruded, crop, opaqueBounds } from '../image/trim.js';
import { tilesetFromAnswer } from './tileset-build.js';
import type { BuiltTileset } from '../tileset/sheet.js';
import { autoBorders, scale9 } from './nine-slice.js';
import { formatLocation } from '../location.js';
import type { NineSliceBorders } from '../request.js';

/**
 * Packs one atlas group: decode every sprite, trim, merge identical frames, pack with MaxRects,
 * draw the pages with extruded edges. Pure and deterministic: sprites are taken in name order, so
 * the order they were discovered in does not change a byte. `decode`: how answer images are decoded
 * (a rebuild can reuse the last build's decodings).
 */
export function buildAtlas(atlas: string, sprites: SpriteSource[], opts: AtlasOptions = {}, decode: Decode = decodeFrames): BuiltAtlas {
  const maxSize = opts.maxSize ?? 2048;
  const padding = opts.padding ?? 2;
  const extrude = opts.extrude ?? 1;
  const trim = opts.trim ?? true;
  if (!(padding >= 0 && extrude >= 0 && maxSize > 0)) {
    throw new RetroSpritesError('bad-atlas-options', `atlas "${atlas}": padding, extrude and maxSize must be non-negative`);
  }

  const frames: NamedFrame[] = [];
  const animations: AnimationSpec[] = [];
  const images: NamedImage[] = [];
  const owner = new Map<string, string>();
  const outputs: Record<string, SpriteOutput> = {};
  const tilesets: BuiltTileset[] = [];
  // Nine-slice frames by name: never trimmed, so the borders stay where the manifest (or auto) put them.
  const panels = new Map<string, { spec: NineSliceBorders | 'auto'; what: string }>();
  const sorted = [...sprites].sort((a, b) => byName(a.request.sprite, b.request.sprite));
  for (const { request, images: answer } of sorted) {
    if (request.options.tileset) {
      const other = owner.get(request.sprite);
      if (other !== undefined) throw new RetroSpritesError('name-clash', `atlas "${atlas}": sprites "${other}" and "${request.sprite}" both make a frame named "${request.sprite}"; rename one of them`);
      owner.set(request.sprite, request.sprite);
      tilesets.push(tilesetFromAnswer(request, answer, extrude));
      outputs[request.sprite] = { frames: [], animations: [], actions: {}, images: [], tilesets: [request.sprite] };
      continue;
    }
    const out = spriteFrames(request, answer, decode);
    outputs[request.sprite] = {
      frames: out.frames.map((f) => f.name),
      animations: out.animations.map((a) => a.key),
      actions: actionTable(out.animations),
      images: out.tileImages.map((t) => t.name),
    };
    for (const name of [...out.frames.map((f) => f.name), ...out.tileImages.map((t) => t.name), ...out.animations.map((a) => `anim:${a.key}`)]) {
      const other = owner.get(name);
      if (other !== undefined) {
        throw new RetroSpritesError(
          'name-clash',
          `atlas "${atlas}": sprites "${other}" and "${request.sprite}" both make ${name.startsWith('anim:') ? 'the animation' : 'a frame named'} "${name.replace(/^anim:/, '')}"; rename one of them`,
        );
      }
      owner.set(name, request.sprite);
    }
    frames.push(...out.frames);
    animations.push(...out.animations);
    images.push(...out.tileImages);
    if (request.options.nineSlice) for (const f of out.frames) panels.set(f.name, { spec: request.options.nineSlice, what: `${formatLocation(request.source)}: sprite "${request.sprite}"` });
  }
  frames.sort((a, b) => byName(a.name, b.name));
  animations.sort((a, b) => byName(a.key, b.key));
  images.sort((a, b) => byName(a.name, b.name));

  // Trim, then give identical pixels one rectangle.
  const unique: RgbaImage[] = [];
  const uniqueByHash = new Map<string, number>();
  const trimmed = frames.map((f) => {
    const box = trim && !panels.has(f.name) ? opaqueBounds(f.image) : { x: 0, y: 0, w: f.image.width, h: f.image.height };
    const pixels = box.w === f.image.width && box.h === f.image.height ? f.image : crop(f.image, box);
    const hash = createHash('sha256').update(`${pixels.width}x${pixels.height}:`).update(pixels.data).digest('hex');
    let slot = uniqueByHash.get(hash);
    if (slot === undefined) {
      slot = unique.length;
      unique.push(pixels);
      uniqueByHash.set(hash, slot);
    }
    return { frame: f, box, slot };
  });

  // Two neighbours' extrusions meet in the gap, so the gap must hold both.
  const gap = Math.max(padding, 2 * extrude);
  const packed = packRects(unique.map((u) => ({ w: u.width, h: u.height })), { maxWidth: maxSize, maxHeight: maxSize, padding: gap, pot: opts.pot ?? false });
  const where = new Map<number, { page: number; x: number; y: number }>();
  const pages = packed.pages.map((p, page) => {
    const image = createImage(p.width, p.height);
    for (const r of p.rects) {
      blitExtruded(image, unique[r.index]!, r.x, r.y, extrude);
      where.set(r.index, { page, x: r.x, y: r.y });
    }
    return image;
  });

  const atlasFrames: AtlasFrame[] = trimmed.map(({ frame, box, slot }) => {
    const at = where.get(slot)!;
    const out: AtlasFrame = {
      name: frame.name,
      page: at.page,
      frame: { x: at.x, y: at.y, w: box.w, h: box.h },
      trimmed: box.w !== frame.image.width || box.h !== frame.image.height,
      spriteSourceSize: box,
      sourceSize: { w: frame.image.width, h: frame.image.height },
    };
    if (frame.pivot) out.pivot = frame.pivot;
    const panel = panels.get(frame.name);
    if (panel) {
      const borders = panel.spec === 'auto' ? autoBorders(frame.image, panel.what) : panel.spec;
      out.scale9Borders = scale9(borders, frame.image.width, frame.image.height);
    }
    return out;
  });

  return { atlas, pages, frames: atlasFrames, animations, images, tilesets, occupancy: pages.length ? packed.occupancy : 1, sprites: outputs };
}

function actionTable(animations: AnimationSpec[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const a of animations) (out[a.action ?? 'default'] ??= {})[a.direction ?? 'default'] = a.key;
  return out;
}
