/** The part of a tileset the autotiler reads: its tiles' corner codes, row by row (see core/tileset/layout.ts). */
export interface CornerLayout {
  columns: number;
  tiles: readonly string[];
}

export interface AutotileOptions {
  /** Added to every index, e.g. a Phaser tileset's `firstgid` (default 0). */
  firstgid?: number;
  /** Pick among tiles with the same corners by cell position (plain ground variants); default false: always the first. */
  vary?: boolean;
}

/**
 * The tile index for each cell of a map painted with two terrains: `grid[y][x]` is true where the
 * second terrain (`b`, e.g. the path) is. A painted cell is drawn as full `b`; its neighbours get
 * the edge and corner tiles, so the path is framed by half a tile on each side. A corner of a cell is
 * `b` when any cell touching that corner is painted. When the layout lacks a combination, the tile
 * agreeing on the most corners stands in.
 */
export function autotile(layout: CornerLayout, grid: readonly (readonly boolean[])[], options: AutotileOptions = {}): number[][] {
  const firstgid = options.firstgid ?? 0;
  const height = grid.length;
  const width = height ? Math.max(...grid.map((r) => r.length)) : 0;
  const painted = (x: number, y: number): boolean => y >= 0 && y < height && x >= 0 && x < width && grid[y]![x] === true;
  // A vertex (x, y) is the top-left corner of cell (x, y).
  const vertex = (x: number, y: number): boolean => painted(x - 1, y - 1) || painted(x, y - 1) || painted(x - 1, y) || painted(x, y);

  const candidates = tilesByMask(layout);
  const out: number[][] = [];
  for (let y = 0; y < height; y++) {
    const row: number[] = [];
    for (let x = 0; x < width; x++) {
      const mask = (vertex(x, y) ? 8 : 0) | (vertex(x + 1, y) ? 4 : 0) | (vertex(x, y + 1) ? 2 : 0) | (vertex(x + 1, y + 1) ? 1 : 0);
      const list = candidates[mask]!;
      const pick = options.vary && list.length > 1 ? list[cellHash(x, y) % list.length]! : list[0]!;
      row.push(pick + firstgid);
    }
    out.push(row);
  }
  return out;
}

/** For each of the 16 corner masks (TL=8, TR=4, BL=2, BR=1), the tile ids that show it (or the nearest). */
function tilesByMask(layout: CornerLayout): number[][] {
  // Kept apart from the core (the browser runtime imports nothing of it): `abab` → TL=0 TR=4 BL=0 BR=1.
  const masks = layout.tiles.map((code) => (/^[ab]{4}$/.test(code) ? [...code].reduce((m, ch, i) => m | (ch === 'b' ? 8 >> i : 0), 0) : -1));
  const out: number[][] = [];
  for (let m = 0; m < 16; m++) {
    const exact = masks.flatMap((t, i) => (t === m ? [i] : []));
    if (exact.length) {
      out.push(exact);
      continue;
    }
    let best = -1;
    let bestScore = -1;
    masks.forEach((t, i) => {
      if (t < 0) return;
      const score = 4 - popcount(t ^ m);
      if (score > bestScore) [best, bestScore] = [i, score];
    });
    out.push([Math.max(0, best)]);
  }
  return out;
}

function popcount(n: number): number {
  let c = 0;
  for (let v = n; v; v &= v - 1) c++;
  return c;
}

function cellHash(x: number, y: number): number {
  let h = Math.imul(x, 0x9e3779b1) ^ Math.imul(y + 0x7f4a7c15, 0x85ebca6b);
  h ^= h >>> 15;
  h = Math.imul(h, 0x2c1b3c6d);
  return (h ^ (h >>> 12)) >>> 0;
}
