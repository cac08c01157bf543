import { createHash } from 'node:crypto';
import { RetroSpritesError } from '../errors.js';
import { createImage, type RgbaImage } from '../image/bitmap.js';
import { byName } from '../order.js';
import type { AtlasFrame, AtlasOptions, BuiltAtlas, CarriedSprite, CutFrame, SpriteOutput, SpriteSource } from './atlas.js';
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
 * (a rebuild can reuse the last build's decodings). `carried`: sprites taken from the atlas's last
 * build as they lay on its pages (atlas-memo.ts); they give the same frames their answers would.
 */
export function buildAtlas(
  atlas: string,
  sprites: readonly SpriteSource[],
  opts: AtlasOptions = {},
  decode: Decode = decodeFrames,
  carried: readonly CarriedSprite[] = [],
): BuiltAtlas {
  const maxSize = opts.maxSize ?? 2048;
  const padding = opts.padding ?? 2;
  const extrude = opts.extrude ?? 1;
  const trim = opts.trim ?? true;
  if (!(padding >= 0 && extrude >= 0 && maxSize > 0)) {
    throw new RetroSpritesError('bad-atlas-options', `atlas "${atlas}": padding, extrude and maxSize must be non-negative`);
  }

  const frames: CutFrame[] = [];
  const animations: AnimationSpec[] = [];
  const images: NamedImage[] = [];
  const owner = new Map<string, string>();
  const outputs: Record<string, SpriteOutput> = {};
  const tilesets: BuiltTileset[] = [];
  const claim = (sprite: string, names: Iterable<string>) => {
    for (const name of names) {
      const other = owner.get(name);
      if (other !== undefined) {
        throw new RetroSpritesError(
          'name-clash',
          `atlas "${atlas}": sprites "${other}" and "${sprite}" both make ${name.startsWith('anim:') ? 'the animation' : 'a frame named'} "${name.replace(/^anim:/, '')}"; rename one of them`,
        );
      }
      owner.set(name, sprite);
    }
  };
  const all: (SpriteSource | CarriedSprite)[] = [...sprites, ...carried];
  all.sort((a, b) => byName(a.request.sprite, b.request.sprite));
  for (const sprite of all) {
    const { request } = sprite;
    if ('output' in sprite) {
      claim(request.sprite, [...sprite.output.frames, ...sprite.output.images, ...sprite.output.animations.map((k) => `anim:${k}`)]);
      outputs[request.sprite] = sprite.output;
      frames.push(...sprite.frames);
      animations.push(...sprite.animations);
      images.push(...sprite.images);
      continue;
    }
    if (request.options.tileset) {
      claim(request.sprite, [request.sprite]);
      tilesets.push(tilesetFromAnswer(request, sprite.images, extrude));
      outputs[request.sprite] = { frames: [], animations: [], actions: {}, images: [], tilesets: [request.sprite] };
      continue;
    }
    const out = spriteFrames(request, sprite.images, decode);
    outputs[request.sprite] = {
      frames: out.frames.map((f) => f.name),
      animations: out.animations.map((a) => a.key),
      actions: actionTable(out.animations),
      images: out.tileImages.map((t) => t.name),
    };
    claim(request.sprite, [...out.frames.map((f) => f.name), ...out.tileImages.map((t) => t.name), ...out.animations.map((a) => `anim:${a.key}`)]);
    // Nine-slice frames are never trimmed, so the borders stay where the manifest (or auto) put them.
    const panel = request.options.nineSlice;
    const what = `${formatLocation(request.source)}: sprite "${request.sprite}"`;
    for (const f of out.frames) frames.push(cutFrame(f, trim && !panel, panel && { spec: panel, what }));
    animations.push(...out.animations);
    images.push(...out.tileImages);
  }
  frames.sort((a, b) => byName(a.name, b.name));
  animations.sort((a, b) => byName(a.key, b.key));
  images.sort((a, b) => byName(a.name, b.name));

  // Identical pixels get one rectangle.
  const unique: RgbaImage[] = [];
  const uniqueByHash = new Map<string, number>();
  const slots = frames.map(({ pixels }) => {
    const hash = createHash('sha256').update(`${pixels.width}x${pixels.height}:`).update(pixels.data).digest('hex');
    let slot = uniqueByHash.get(hash);
    if (slot === undefined) {
      slot = unique.length;
      unique.push(pixels);
      uniqueByHash.set(hash, slot);
    }
    return slot;
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

  const atlasFrames: AtlasFrame[] = frames.map((f, i) => {
    const at = where.get(slots[i]!)!;
    const out: AtlasFrame = {
      name: f.name,
      page: at.page,
      frame: { x: at.x, y: at.y, w: f.box.w, h: f.box.h },
      trimmed: f.box.w !== f.sourceSize.w || f.box.h !== f.sourceSize.h,
      spriteSourceSize: f.box,
      sourceSize: f.sourceSize,
    };
    if (f.pivot) out.pivot = f.pivot;
    if (f.scale9Borders) out.scale9Borders = f.scale9Borders;
    return out;
  });

  return { atlas, pages, frames: atlasFrames, animations, images, tilesets, occupancy: pages.length ? packed.occupancy : 1, sprites: outputs };
}

/** One decoded frame trimmed (unless `trim` is off) and, for a nine-slice panel, given its borders. */
function cutFrame(f: NamedFrame, trim: boolean | undefined, panel: { spec: NineSliceBorders | 'auto'; what: string } | undefined): CutFrame {
  const { width, height } = f.image;
  const box = trim ? opaqueBounds(f.image) : { x: 0, y: 0, w: width, h: height };
  const cut: CutFrame = {
    name: f.name,
    pixels: box.w === width && box.h === height ? f.image : crop(f.image, box),
    box,
    sourceSize: { w: width, h: height },
  };
  if (f.pivot) cut.pivot = f.pivot;
  if (panel) cut.scale9Borders = scale9(panel.spec === 'auto' ? autoBorders(f.image, panel.what) : panel.spec, width, height);
  return cut;
}

function actionTable(animations: AnimationSpec[]): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const a of animations) (out[a.action ?? 'default'] ??= {})[a.direction ?? 'default'] = a.key;
  return out;
}
