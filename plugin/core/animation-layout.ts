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

/**
 * An animated style's answer, as data: which cells it holds (direction by direction, in the GIF's
 * frame order and in the sheet's reading), and the named actions that play them. One table
 * (`STYLE_LAYOUTS`) for every animated style, so the slicer, the answer checks, the placeholder
 * and the emulator agree. Readings of pictures are marked as such: the API documents most sheets
 * only as images (shared/retrodiffusion-v2.md, "Animation and tileset layouts").
 */
export interface StyleLayout {
  /** Directions in answer order. One-direction styles use `default`. */
  directions: readonly string[];
  /** Cells per direction; `any`: as many as the answer holds (one-direction styles). */
  cellsPerDirection: number | 'any';
  /** Action name → the cells (indices within a direction) it plays, in order; `all` = every cell. */
  actions: Readonly<Record<string, readonly number[] | 'all'>>;
  /** Where the cells sit in a `return_spritesheet` PNG. */
  sheet: SheetPlacement;
  /** Frame `<sprite>/<direction>/<i>` and animation `<sprite>_<direction>`: the names of the seed's walking style. */
  legacyNames?: boolean;
  /** Where this layout is read from. */
  source: string;
}

export type SheetPlacement =
  | { kind: 'rows' }
  | { kind: 'columns' }
  /** Explicit cells: `cells[n]` is the (column, row) of answer cell n in a `cols` x `rows` grid. */
  | { kind: 'cells'; cols: number; rows: number; cells: readonly (readonly [number, number])[] };

const WALK_DIRECTIONS = ['down', 'left', 'right', 'up'] as const;
/** front, right, back, left: how the walk_idle and battle pictures read, top row first. */
const PICTURE_DIRECTIONS = ['down', 'right', 'up', 'left'] as const;
/** From the down-right diagonal, 45° apart; frames 2, 4, 6, 8 are front, left, back, right (llms.txt). */
const EIGHT_FACINGS = ['down_right', 'down', 'down_left', 'left', 'up_left', 'up', 'up_right', 'right'] as const;

const walking = (legacy: boolean): StyleLayout => ({
  directions: WALK_DIRECTIONS,
  cellsPerDirection: 4,
  actions: { walk: 'all' },
  sheet: { kind: 'rows' },
  ...(legacy ? { legacyNames: true } : {}),
  source: 'seed: 48 px, 4 directions x 4 walk frames; the sheet order is undocumented (a row per direction, down, left, right, up)',
});

const single = (action: string, source: string): StyleLayout => ({
  directions: ['default'],
  cellsPerDirection: 'any',
  actions: { [action]: 'all' },
  sheet: { kind: 'rows' },
  source,
});

const rotation: StyleLayout = {
  directions: EIGHT_FACINGS,
  cellsPerDirection: 1,
  actions: { face: [0] },
  // 3x3 with an empty centre: front on top, back at the bottom, diagonals in the corners.
  sheet: {
    kind: 'cells', cols: 3, rows: 3,
    cells: [[2, 0], [1, 0], [0, 0], [0, 1], [0, 2], [1, 2], [2, 2], [2, 1]],
  },
  source: 'llms.txt: 8 frames 45° apart from the down-right diagonal, 2/4/6/8 = front/left/back/right; the example sheet is 3x3 with an empty centre (corner placement read from the picture)',
};

export const STYLE_LAYOUTS: Readonly<Record<string, StyleLayout>> = {
  animation_four_angle_walking: walking(true),
  rd_animation__four_angle_walking: walking(false),
  rd_animation__four_angle_walking_idle: {
    directions: PICTURE_DIRECTIONS,
    cellsPerDirection: 4,
    // Columns I1, W1, W2, W3: idle = W2, I1; walk = W2, W1, W2, W3 (resources/walk_idle_format.png).
    actions: { idle: [2, 0], walk: [2, 1, 2, 3] },
    sheet: { kind: 'rows' },
    source: 'resources/walk_idle_format.png: a 4x4 sheet, columns I1 W1 W2 W3; rows read from the poses as front, right, back, left',
  },
  rd_animation__battle_sprites: {
    directions: PICTURE_DIRECTIONS,
    cellsPerDirection: 14,
    actions: { idle: [0, 1, 2], walk: [3, 4, 5, 6, 7, 8], jump: [9, 10], attack: [11, 12, 13] },
    sheet: { kind: 'rows' },
    source: 'caption "idle · walk · jump · attack" and the 56-frame example GIF (unverified reading: 4 directions x 14 frames)',
  },
  rd_animation__8_dir_rotation: rotation,
  rd_advanced_animation__rotate: rotation,
  rd_animation__vfx: single('effect', 'example GIF: 16 frames at 200 ms; the count follows the answer'),
  rd_animation__small_sprites: single('play', 'one animation; the count follows the answer'),
  rd_animation__any_animation: single('play', 'one animation; the count follows the answer'),
  rd_animation__big_animation: single('play', 'one animation; the count follows the answer'),
  rd_advanced_animation__walking: single('walk', 'example GIF: 8 frames at 150 ms; the count follows the answer'),
  rd_advanced_animation__idle: single('idle', 'one action; the count follows the answer'),
  rd_advanced_animation__jump: single('jump', 'one action; the count follows the answer'),
  rd_advanced_animation__crouch: single('crouch', 'one action; the count follows the answer'),
  rd_advanced_animation__attack: single('attack', 'one action; the count follows the answer'),
  rd_advanced_animation__destroy: single('destroy', 'one action; the count follows the answer'),
  rd_advanced_animation__custom_action: single('action', 'one action; the count follows the answer'),
  rd_advanced_animation__subtle_motion: single('motion', 'one action; the count follows the answer'),
};

export function layoutForStyle(style: string | undefined): StyleLayout | undefined {
  return style === undefined ? undefined : STYLE_LAYOUTS[style];
}

/**
 * The layout a sprite's frames are cut by: a manifest's `animation:` mapping overrides the geometry
 * (directions, frames, order) and keeps the style's actions when they fit; without a style layout
 * it is one `walk` action over every frame under the seed's names, as before actions existed.
 */
export function resolveLayout(style: string | undefined, override: AnimationLayout | undefined): StyleLayout | undefined {
  const base = layoutForStyle(style);
  if (!override) return base;
  const n = override.framesPerDirection;
  const fits = base && Object.values(base.actions).every((a) => a === 'all' || a.every((i) => i < n));
  return {
    directions: override.directions,
    cellsPerDirection: n,
    actions: fits ? base!.actions : { walk: 'all' },
    sheet: { kind: override.order },
    ...(!base || base.legacyNames || !fits ? { legacyNames: true } : {}),
    source: 'the manifest\'s animation: mapping',
  };
}

/** Cells of one direction an action plays. */
export function actionCells(action: readonly number[] | 'all', cellsPerDirection: number): number[] {
  return action === 'all' ? Array.from({ length: cellsPerDirection }, (_, i) => i) : [...action];
}

/** The sheet's grid and each cell's place, for a layout with a known number of cells. */
export function sheetPlacement(layout: StyleLayout, cellsPerDirection: number): { cols: number; rows: number; cells: [number, number][] } {
  const dirs = layout.directions.length;
  if (layout.sheet.kind === 'cells') return { cols: layout.sheet.cols, rows: layout.sheet.rows, cells: layout.sheet.cells.map(([c, r]) => [c, r]) };
  const cells: [number, number][] = [];
  for (let d = 0; d < dirs; d++) {
    for (let i = 0; i < cellsPerDirection; i++) cells.push(layout.sheet.kind === 'rows' ? [i, d] : [d, i]);
  }
  return layout.sheet.kind === 'rows' ? { cols: cellsPerDirection, rows: dirs, cells } : { cols: dirs, rows: cellsPerDirection, cells };
}

/** Cells the answer holds in all, when fixed. */
export function layoutCellCount(layout: StyleLayout): number | undefined {
  return layout.cellsPerDirection === 'any' ? undefined : layout.cellsPerDirection * layout.directions.length;
}
