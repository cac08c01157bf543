/**
 * Where each tile of a tileset answer sits and what it shows, as the four terrains at its corners.
 * Pure data and arithmetic, no Node imports: the browser runtime (autotile) uses it too.
 *
 * A tile is written as four letters in reading order: top-left, top-right, bottom-left,
 * bottom-right; `a` is the first terrain (the ground, e.g. grass), `b` the second (e.g. a path).
 * `aaab` is the top-left outer corner of a patch of `b`; `.` is a cell the autotiler never uses.
 */
export type CornerCode = string;

export interface TilesetLayout {
  columns: number;
  rows: number;
  /** Row by row, `columns * rows` codes. */
  tiles: CornerCode[];
}

/**
 * `rd_tile__tileset` and `_advanced`: 4 columns x 5 rows (shared/retrodiffusion-v2.md, "Animation
 * and tileset layouts"; the API publishes only a picture). Rows 1-3 x columns 2-4 are a patch of the
 * second terrain (outer corners, edges, centre), column 1 is plain ground, rows 4-5 x columns 2-3
 * the inner corners, column 4 rows 4-5 the two diagonals. Together they are all 16 corner
 * combinations of two terrains, so any map of them can be painted. Which inner corner sits where is
 * our reading of the picture: a manifest can say otherwise with `tileset.layout`.
 */
export const RD_TILESET_LAYOUT: TilesetLayout = Object.freeze({
  columns: 4,
  rows: 5,
  tiles: Object.freeze([
    'aaaa', 'aaab', 'aabb', 'aaba',
    'aaaa', 'abab', 'bbbb', 'baba',
    'aaaa', 'abaa', 'bbaa', 'baaa',
    'aaaa', 'bbba', 'bbab', 'abba',
    'aaaa', 'babb', 'abbb', 'baab',
  ]) as string[],
}) as TilesetLayout;

/** Styles whose answer is a tileset in the layout above. */
export const TILESET_STYLES: readonly string[] = ['rd_tile__tileset', 'rd_tile__tileset_advanced'];

export function isTilesetStyle(style: string | undefined): boolean {
  return style !== undefined && TILESET_STYLES.includes(style);
}

/** The documented layout of a style, or a single tile for the other tile styles. */
export function defaultLayout(style: string | undefined): TilesetLayout {
  return isTilesetStyle(style) ? RD_TILESET_LAYOUT : { columns: 1, rows: 1, tiles: ['.'] };
}

export const CODE_PATTERN = /^([ab]{4}|\.)$/;

/** Which corners of a code are the second terrain, as [topLeft, topRight, bottomLeft, bottomRight]. */
export function corners(code: CornerCode): [boolean, boolean, boolean, boolean] | undefined {
  if (!/^[ab]{4}$/.test(code)) return undefined;
  return [code[0] === 'b', code[1] === 'b', code[2] === 'b', code[3] === 'b'];
}

/**
 * Tiled's wang id of a code in a corner set: 8 colour indexes in Tiled's order (top, top-right,
 * right, bottom-right, bottom, bottom-left, left, top-left; src/libtiled/wangset.h), edges 0,
 * terrain `a` colour 1 and `b` colour 2.
 */
export function wangId(code: CornerCode): number[] | undefined {
  const c = corners(code);
  if (!c) return undefined;
  const [tl, tr, bl, br] = c.map((b) => (b ? 2 : 1));
  return [0, tr!, 0, br!, 0, bl!, 0, tl!];
}
