import type * as Phaser from 'phaser';
import { addTileset, autotile, tilesets } from 'virtual:retro-sprites';
import { WORLD_HEIGHT, WORLD_WIDTH } from './layout.js';

/** Where the dirt path runs, in tiles: the lane east of the hero's start, and a branch down to the chest. */
export function pathCells(cols: number, rows: number, tile: number): boolean[][] {
  const grid = Array.from({ length: rows }, () => Array.from({ length: cols }, () => false));
  const lane = Math.floor(216 / tile);
  for (let x = 0; x < cols; x++) grid[lane]![x] = grid[lane + 1]![x] = true;
  const branch = Math.floor(420 / tile);
  for (let y = lane + 2; y < Math.floor(316 / tile); y++) grid[y]![branch] = true;
  return grid;
}

/**
 * The path, painted with the generated tileset over the grass: every cell with dirt at a corner gets
 * its transition tile, plain-grass cells stay empty so the tiled grass shows through.
 */
export function paintPath(scene: Phaser.Scene): Phaser.Tilemaps.TilemapLayer {
  const t = tilesets.meadow_path;
  const cols = Math.ceil(WORLD_WIDTH / t.tileWidth);
  const rows = Math.ceil(WORLD_HEIGHT / t.tileHeight);
  const map = scene.make.tilemap({ tileWidth: t.tileWidth, tileHeight: t.tileHeight, width: cols, height: rows });
  const tileset = addTileset(map, t);
  const layer = map.createBlankLayer('path', tileset, 0, 0)!;
  const plain = t.tiles.indexOf('aaaa');
  layer.putTilesAt(autotile(t, pathCells(cols, rows, t.tileHeight)).map((row) => row.map((i) => (i === plain ? -1 : i))), 0, 0);
  return layer;
}
