import { defaultLayout, isTilesetStyle, type TilesetLayout } from '../../tileset/layout.js';
import type { ManifestEntry } from '../schema.js';
import type { RuleContext } from './context.js';
import type { ResolvedStyle } from './style.js';

export const DEFAULT_TERRAINS: [string, string] = ['ground', 'path'];

/**
 * The tileset keys of one sprite: whether its answer is a tileset and in which layout (the
 * style's documented one unless `tileset.layout` says). `extra_prompt` / `extra_input_image` of
 * `_advanced` are request fields, resolved in extras.ts.
 */
export function resolveTileset(ctx: RuleContext, { name, style }: ResolvedStyle): {
  tileset?: { layout: TilesetLayout; terrains: [string, string] };
} {

  const field = ctx.get<ManifestEntry['tileset']>('tileset');
  const wanted = field ? field.value !== false : isTilesetStyle(name);
  if (!wanted) return {};
  if (field && style.family !== 'rd_tile') {
    ctx.error('tileset-not-tile-style', `tileset applies to the tile styles (rd_tile__…); prompt_style ${name ?? '(none)'} is not one`, field.loc,
      'use prompt_style: rd_tile__tileset (or another rd_tile__ style), or remove tileset');
    return {};
  }
  const spec = field && typeof field.value === 'object' ? field.value : {};
  let layout = defaultLayout(name);
  if (spec.layout) {
    const columns = spec.layout[0]!.length;
    if (spec.layout.some((row) => row.length !== columns)) {
      ctx.error('tileset-layout-ragged', 'every row of tileset.layout must have as many tiles as the first', field!.loc,
        `give each row ${columns} codes (use . for a tile without corners)`);
      return {};
    }
    layout = { columns, rows: spec.layout.length, tiles: spec.layout.flat() };
  }
  const terrains: [string, string] = spec.terrains ? [spec.terrains[0], spec.terrains[1]] : [...DEFAULT_TERRAINS];
  return { tileset: { layout: { columns: layout.columns, rows: layout.rows, tiles: [...layout.tiles] }, terrains } };
}
