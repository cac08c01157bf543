/**
 * How an animation's frames are arranged: in the GIF's frame order and in the PNG sheet that
 * `return_spritesheet` answers. The API publishes the sheet's order only as pictures, so the layout
 * is data with a documented default that a manifest can override per sprite.
 *
 * Default for the walking styles: 4 directions (down, left, right, up) x 4 frames; in the sheet
 * each direction is one row (`order: rows`), frames left to right; the GIF holds the same 16 frames
 * direction by direction.
 */
export interface AnimationLayout {
  directions: string[];
  framesPerDirection: number;
  /** `rows`: one direction per sheet row; `columns`: one direction per sheet column. */
  order: 'rows' | 'columns';
}

export const DEFAULT_WALK_LAYOUT: AnimationLayout = Object.freeze({
  directions: ['down', 'left', 'right', 'up'],
  framesPerDirection: 4,
  order: 'rows',
}) as AnimationLayout;

export function frameCount(layout: AnimationLayout): number {
  return layout.directions.length * layout.framesPerDirection;
}

/** Cell (column, row) of frame `index` of direction `dir` in a sheet of this layout. */
export function sheetCell(layout: AnimationLayout, dir: number, index: number): { col: number; row: number } {
  return layout.order === 'rows' ? { col: index, row: dir } : { col: dir, row: index };
}

/** Sheet size in cells. */
export function sheetGrid(layout: AnimationLayout): { cols: number; rows: number } {
  const n = layout.directions.length;
  const f = layout.framesPerDirection;
  return layout.order === 'rows' ? { cols: f, rows: n } : { cols: n, rows: f };
}
