import { createImage, type RgbaImage } from '../image/bitmap.js';
import { blitExtruded, crop } from '../image/trim.js';
import { RetroSpritesError } from '../errors.js';
import type { TilesetLayout } from './layout.js';

/** What a tileset sprite becomes: one image of tiles with gaps, and what a map editor needs to cut it. */
export interface BuiltTileset {
  /** The sprite's name; the texture key is derived from it like a tiling image's. */
  name: string;
  image: RgbaImage;
  tileWidth: number;
  tileHeight: number;
  columns: number;
  rows: number;
  tileCount: number;
  /** Pixels between the image edge and the first tile. */
  margin: number;
  /** Pixels between two tiles. */
  spacing: number;
  layout: TilesetLayout;
  /** Names of terrain `a` and `b`. */
  terrains: [string, string];
}

/**
 * Cuts an answer laid out as `layout` (tiles edge to edge) and redraws it with `extrude` pixels of
 * margin around the image and twice that between tiles, each tile's edge repeated into its gap:
 * a camera that zooms or scrolls by fractions samples the tile's own edge, never its neighbour.
 */
export function buildTilesetImage(
  answer: RgbaImage,
  tile: { width: number; height: number },
  layout: TilesetLayout,
  extrude: number,
  what: string,
): { image: RgbaImage; margin: number; spacing: number } {
  const { columns, rows } = layout;
  if (answer.width !== columns * tile.width || answer.height !== rows * tile.height) {
    throw new RetroSpritesError(
      'layout-mismatch',
      `${what}: the tileset answer is ${answer.width}x${answer.height}, but ${columns}x${rows} tiles of ${tile.width}x${tile.height} make ` +
        `${columns * tile.width}x${rows * tile.height}; set \`tileset.layout\` in the manifest to the grid the answer has`,
    );
  }
  const margin = extrude;
  const spacing = 2 * extrude;
  const image = createImage(
    2 * margin + columns * tile.width + (columns - 1) * spacing,
    2 * margin + rows * tile.height + (rows - 1) * spacing,
  );
  for (let r = 0; r < rows; r++) {
    for (let c = 0; c < columns; c++) {
      const pixels = crop(answer, { x: c * tile.width, y: r * tile.height, w: tile.width, h: tile.height });
      blitExtruded(image, pixels, margin + c * (tile.width + spacing), margin + r * (tile.height + spacing), extrude);
    }
  }
  return { image, margin, spacing };
}

/** Where tile `id` sits in a built tileset image (Phaser's and Tiled's arithmetic). */
export function tileOrigin(t: Pick<BuiltTileset, 'tileWidth' | 'tileHeight' | 'columns' | 'margin' | 'spacing'>, id: number): { x: number; y: number } {
  const c = id % t.columns;
  const r = Math.floor(id / t.columns);
  return { x: t.margin + c * (t.tileWidth + t.spacing), y: t.margin + r * (t.tileHeight + t.spacing) };
}
