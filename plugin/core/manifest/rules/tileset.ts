import type { ResolvedInput } from '../input-file.js';
import { defaultLayout, isTilesetStyle, type TilesetLayout } from '../../tileset/layout.js';
import type { ManifestEntry } from '../schema.js';
import type { RuleContext } from './context.js';
import { readField } from './inputs.js';
import type { ResolvedStyle } from './style.js';

export const DEFAULT_TERRAINS: [string, string] = ['ground', 'path'];

/**
 * The tileset keys of one sprite: whether its answer is a tileset and in which layout (the
 * style's documented one unless `tileset.layout` says), and the two `_advanced` request fields.
 */
export async function resolveTileset(ctx: RuleContext, { name, style }: ResolvedStyle): Promise<{
  tileset?: { layout: TilesetLayout; terrains: [string, string] };
  extraPrompt?: string;
  extraImage?: ResolvedInput;
}> {
  for (const key of ['extra_prompt', 'extra_input_image']) {
    const f = ctx.get(key);
    if (f && name !== 'rd_tile__tileset_advanced') {
      ctx.warn(`${key.replace(/_/g, '-')}-not-advanced`, `${key} is read only by rd_tile__tileset_advanced; prompt_style ${name ?? '(none)'} ignores it`, f.loc,
        `use prompt_style: rd_tile__tileset_advanced, or remove ${key}`);
    }
  }
  const extraPrompt = ctx.get<string>('extra_prompt')?.value;
  const extraImage = await readField(ctx, ctx.get<string>('extra_input_image'));
  const extras = { ...(extraPrompt !== undefined ? { extraPrompt } : {}), ...(extraImage ? { extraImage } : {}) };

  const field = ctx.get<ManifestEntry['tileset']>('tileset');
  const wanted = field ? field.value !== false : isTilesetStyle(name);
  if (!wanted) return extras;
  if (field && style.family !== 'rd_tile') {
    ctx.error('tileset-not-tile-style', `tileset applies to the tile styles (rd_tile__…); prompt_style ${name ?? '(none)'} is not one`, field.loc,
      'use prompt_style: rd_tile__tileset (or another rd_tile__ style), or remove tileset');
    return extras;
  }
  const spec = field && typeof field.value === 'object' ? field.value : {};
  let layout = defaultLayout(name);
  if (spec.layout) {
    const columns = spec.layout[0]!.length;
    if (spec.layout.some((row) => row.length !== columns)) {
      ctx.error('tileset-layout-ragged', 'every row of tileset.layout must have as many tiles as the first', field!.loc,
        `give each row ${columns} codes (use . for a tile without corners)`);
      return extras;
    }
    layout = { columns, rows: spec.layout.length, tiles: spec.layout.flat() };
  }
  const terrains: [string, string] = spec.terrains ? [spec.terrains[0], spec.terrains[1]] : [...DEFAULT_TERRAINS];
  return { ...extras, tileset: { layout: { columns: layout.columns, rows: layout.rows, tiles: [...layout.tiles] }, terrains } };
}
