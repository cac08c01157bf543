import { describe, expect, it } from 'vitest';
import { autotile } from '../../plugin/client/autotile.js';
import { RD_TILESET_LAYOUT } from '../../plugin/core/tileset/layout.js';

describe('autotile', () => {
  const layout = RD_TILESET_LAYOUT;
  const codeOf = (ids: number[][]) => ids.map((row) => row.map((i) => layout.tiles[i]));

  it('frames a painted cell with outer corners and edges, and paints it full', () => {
    const grid = [[false, false, false], [false, true, false], [false, false, false]];
    expect(codeOf(autotile(layout, grid))).toEqual([
      ['aaab', 'aabb', 'aaba'],
      ['abab', 'bbbb', 'baba'],
      ['abaa', 'bbaa', 'baaa'],
    ]);
  });

  it('uses inner corners where two strokes meet, and offsets by firstgid', () => {
    const grid = [[true, false], [true, true]];
    // The unpainted top-right cell keeps ground only in its far corner: an inner corner.
    expect(codeOf(autotile(layout, grid))).toEqual([['bbbb', 'babb'], ['bbbb', 'bbbb']]);
    const L = [[false, false, false], [false, true, false], [false, true, true], [false, false, false]];
    const ids = autotile(layout, L);
    expect(layout.tiles[ids[1]![2]!]).toBe('babb'); // the inside of the turn
    expect(layout.tiles[ids[2]![2]!]).toBe('bbbb');
    expect(layout.tiles[ids[1]![1]!]).toBe('bbbb');
    expect(autotile(layout, L, { firstgid: 1 })[0]![0]).toBe(ids[0]![0]! + 1);
  });

  it('picks plain-ground variants by position when asked, and stands in the nearest tile for a missing combination', () => {
    const plain = Array.from({ length: 6 }, () => Array.from({ length: 6 }, () => false));
    const varied = new Set(autotile(layout, plain, { vary: true }).flat());
    expect([...varied].every((i) => layout.tiles[i] === 'aaaa')).toBe(true);
    expect(varied.size).toBeGreaterThan(1);
    const partial = { columns: 2, rows: 1, tiles: ['aaaa', 'bbbb'] };
    expect(autotile(partial, [[true]])).toEqual([[1]]);
    expect(autotile(partial, [[false, false]])).toEqual([[0, 0]]);
  });
});
