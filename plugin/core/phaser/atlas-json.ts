import type { AtlasFrame, BuiltAtlas } from './atlas.js';

/**
 * `meta.version` is the version of the format, as TexturePacker writes it, not of the plugin:
 * upgrading the plugin must not change a byte of an unchanged atlas.
 */
export const ATLAS_META = { app: 'vite-plugin-retro-sprites', version: '1.0' } as const;

interface FrameJson {
  frame: { x: number; y: number; w: number; h: number };
  rotated: false;
  trimmed: boolean;
  spriteSourceSize: { x: number; y: number; w: number; h: number };
  sourceSize: { w: number; h: number };
  pivot?: { x: number; y: number };
  scale9Borders?: { x: number; y: number; w: number; h: number };
}

function frameJson(f: AtlasFrame): FrameJson {
  const out: FrameJson = {
    frame: { x: f.frame.x, y: f.frame.y, w: f.frame.w, h: f.frame.h },
    rotated: false,
    trimmed: f.trimmed,
    spriteSourceSize: { x: f.spriteSourceSize.x, y: f.spriteSourceSize.y, w: f.spriteSourceSize.w, h: f.spriteSourceSize.h },
    sourceSize: { w: f.sourceSize.w, h: f.sourceSize.h },
  };
  if (f.pivot) out.pivot = { x: f.pivot.x, y: f.pivot.y };
  // Read by Phaser's JSONHash and JSONArray parsers (src/textures/parsers) into Frame#setScale9.
  if (f.scale9Borders) out.scale9Borders = { ...f.scale9Borders };
  return out;
}

/** Phaser's JSON Hash (src/textures/parsers/JSONHash.js): one page, frames keyed by name. */
export function jsonHashAtlas(atlas: BuiltAtlas, image: string): unknown {
  const page = atlas.pages[0]!;
  const frames: Record<string, FrameJson> = {};
  for (const f of atlas.frames) frames[f.name] = frameJson(f);
  return {
    frames,
    meta: { ...ATLAS_META, image, format: 'RGBA8888', size: { w: page.width, h: page.height }, scale: '1' },
  };
}

/**
 * Phaser's multiatlas (MultiAtlasFile + JSONArray parser): `textures[i].image` is loaded relative to
 * the loader's path, `textures[i].frames` is that page's frame list with `filename`.
 */
export function multiAtlas(atlas: BuiltAtlas, images: string[]): unknown {
  return {
    textures: atlas.pages.map((page, i) => ({
      image: images[i]!,
      format: 'RGBA8888',
      size: { w: page.width, h: page.height },
      scale: 1,
      frames: atlas.frames.filter((f) => f.page === i).map((f) => ({ filename: f.name, ...frameJson(f) })),
    })),
    meta: { ...ATLAS_META, scale: '1' },
  };
}
