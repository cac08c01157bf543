import { wangId } from '../tileset/layout.js';
import type { BuiltTileset } from '../tileset/sheet.js';

/** Colours Tiled shows for the two terrains of the wang set (any colour is valid; these read well). */
const TERRAIN_COLOURS = ['#3c9a3c', '#c08040'] as const;

/** A corner wang set in Tiled's JSON shape (docs/reference/json-map-format.rst, "Wang Set"). */
export interface WangSetJson {
  name: string;
  type: 'corner';
  tile: number;
  colors: { name: string; color: string; probability: number; tile: number }[];
  wangtiles: { tileid: number; wangid: number[] }[];
}

/** The corner wang set of a tileset, or undefined when its layout names no corners (a single tile). */
export function wangSet(t: BuiltTileset): WangSetJson | undefined {
  const wangtiles = t.layout.tiles.flatMap((code, tileid) => {
    const id = wangId(code);
    return id ? [{ tileid, wangid: id }] : [];
  });
  if (wangtiles.length === 0) return undefined;
  const representative = (full: string) => Math.max(-1, t.layout.tiles.indexOf(full));
  return {
    name: t.terrains.join(' / '),
    type: 'corner',
    tile: -1,
    colors: t.terrains.map((name, i) => ({ name, color: TERRAIN_COLOURS[i]!, probability: 1, tile: representative(i === 0 ? 'aaaa' : 'bbbb') })),
    wangtiles,
  };
}

/**
 * A Tiled tileset file (`.tsj`, Tiled's JSON tileset format, docs/reference/json-map-format.rst
 * "Tileset"), so the art opens in Tiled and maps can be painted with its terrain brush. `image` is
 * relative to the `.tsj`, which is written beside it.
 */
export function tiledTileset(t: BuiltTileset, imageFile: string): Record<string, unknown> {
  const wang = wangSet(t);
  return {
    type: 'tileset',
    version: '1.10',
    tiledversion: '1.11.0',
    name: t.name,
    image: imageFile,
    imagewidth: t.image.width,
    imageheight: t.image.height,
    tilewidth: t.tileWidth,
    tileheight: t.tileHeight,
    margin: t.margin,
    spacing: t.spacing,
    columns: t.columns,
    tilecount: t.tileCount,
    ...(wang ? { wangsets: [wang] } : {}),
  };
}
