import type Phaser from 'phaser';
import { autotile as autotileLayout, type AutotileOptions } from './autotile.js';

/** One generated tileset, as `virtual:retro-sprites` exports it under `tilesets.<sprite>`. */
export interface TilesetRef {
  /** Texture key of the tileset image (also a spritesheet: tile i is frame i). */
  key: string;
  tileWidth: number;
  tileHeight: number;
  margin: number;
  spacing: number;
  columns: number;
  tileCount: number;
  /** Corner codes of each tile: top-left, top-right, bottom-left, bottom-right; a = ground, b = painted. */
  tiles: readonly string[];
  terrains: readonly [string, string];
  /** Tiled's corner wang set (as in the `.tsj`). */
  wangset?: {
    name: string;
    type: 'corner';
    colors: readonly { name: string; color: string; probability: number; tile: number }[];
    wangtiles: readonly { tileid: number; wangid: readonly number[] }[];
  };
  /** URL of the Tiled tileset file. */
  tsj: string;
}

/**
 * Adds a generated tileset to a tilemap in one call, with its tile size, margin and spacing:
 * `addTileset(map, tilesets.meadow_path)`. `gid` defaults to what Phaser picks (0 for a map made
 * from data, the next free gid otherwise).
 */
export function addTileset(map: Phaser.Tilemaps.Tilemap, tileset: TilesetRef, gid?: number): Phaser.Tilemaps.Tileset {
  const added = map.addTilesetImage(tileset.key, tileset.key, tileset.tileWidth, tileset.tileHeight, tileset.margin, tileset.spacing, gid);
  if (!added) throw new Error(`retro-sprites: could not add tileset "${tileset.key}" to the map; is it loaded (preload(this))?`);
  return added;
}

/**
 * The tile index of each cell of a map of two terrains, `grid[y][x]` true where the second terrain
 * (the path) goes: ready for `layer.putTilesAt(indexes, 0, 0)` or `make.tilemap({ data })`.
 */
export function autotile(tileset: Pick<TilesetRef, 'tiles' | 'columns'>, grid: readonly (readonly boolean[])[], options?: AutotileOptions): number[][] {
  return autotileLayout(tileset, grid, options);
}
