import type { PngEffort } from '../image/png-encode.js';
import type { BuiltTileset } from '../tileset/sheet.js';
import { encodePage } from './encoded-pages.js';
import type { PackEntry } from './pack-json.js';
import { tiledTileset, wangSet, type WangSetJson } from './tileset-json.js';

/** What the game learns of one tileset (`tilesets.<name>` in `virtual:retro-sprites`). */
export interface TilesetKeys {
  atlas: string;
  sprite: string;
  /** Texture key of the tileset image. */
  key: string;
  tileWidth: number;
  tileHeight: number;
  margin: number;
  spacing: number;
  columns: number;
  tileCount: number;
  /** Corner codes of each tile (see core/tileset/layout.ts), for the autotiler. */
  tiles: string[];
  terrains: [string, string];
  /** Tiled's corner wang set, as in the `.tsj`. */
  wangset?: WangSetJson;
  /** File name of the Tiled tileset, relative to the pack's path. */
  tsj: string;
}

const encoder = new TextEncoder();

/**
 * The files of one tileset: its image (named first, so a bundler can hash it), the `.tsj` naming
 * that final image, the pack entry that loads the image, and the keys.
 */
export function tilesetFiles(
  atlas: string,
  t: BuiltTileset,
  key: string,
  effort: PngEffort,
  add: (logical: string, bytes: Uint8Array, kind: 'tileset-image' | 'tileset', json?: unknown) => string,
): { entry: PackEntry; keys: TilesetKeys } {
  const url = add(`${key}.png`, encodePage(t.image, effort), 'tileset-image');
  const tiled = tiledTileset(t, url.split('/').pop()!);
  const tsj = add(`${key}.tsj`, encoder.encode(JSON.stringify(tiled, null, 2) + '\n'), 'tileset', tiled);
  const wangset = wangSet(t);
  return {
    // A plain image, not a spritesheet: Phaser's Tileset measures a spritesheet by its frames'
    // bounds (Texture#getFrameBounds), which leave out the margin, and cuts the wrong tiles.
    entry: { type: 'image', key, url },
    keys: {
      atlas, sprite: t.name, key,
      tileWidth: t.tileWidth, tileHeight: t.tileHeight, margin: t.margin, spacing: t.spacing,
      columns: t.columns, tileCount: t.tileCount, tiles: [...t.layout.tiles], terrains: t.terrains,
      ...(wangset ? { wangset } : {}),
      tsj,
    },
  };
}
