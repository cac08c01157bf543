import type { SourceLocation } from '../location.js';
import { defaultLayout, isTilesetStyle, type TilesetLayout } from '../tileset/layout.js';
import type { ManifestEntry } from './schema.js';

type Report = (code: string, message: string, location: SourceLocation, hint: string) => void;
type Get = <T>(key: string) => { value: T; loc: SourceLocation } | undefined;

export const DEFAULT_TERRAINS: [string, string] = ['ground', 'path'];

/**
 * The tileset keys of one sprite: whether its answer is a tileset, in which layout, and the two
 * `_advanced` request fields. Called by buildRequest; reports through its error/warn.
 */
export function tilesetRules(
  get: Get,
  styleName: string | undefined,
  styleFamily: string,
  error: Report,
  warn: Report,
): { tileset?: { layout: TilesetLayout; terrains: [string, string] } } {
  const field = get<ManifestEntry['tileset']>('tileset');
  for (const key of ['extra_prompt', 'extra_input_image']) {
    const f = get(key);
    if (f && styleName !== 'rd_tile__tileset_advanced') {
      warn(`${key.replace('_', '-')}-not-advanced`, `${key} is read only by rd_tile__tileset_advanced; prompt_style ${styleName ?? '(none)'} ignores it`, f.loc,
        `use prompt_style: rd_tile__tileset_advanced, or remove ${key}`);
    }
  }
  const wanted = field ? field.value !== false : isTilesetStyle(styleName);
  if (!wanted) return {};
  if (field && field.value !== false && styleFamily !== 'rd_tile') {
    error('tileset-not-tile-style', `tileset applies to the tile styles (rd_tile__…); prompt_style ${styleName ?? '(none)'} is not one`, field.loc,
      'use prompt_style: rd_tile__tileset (or another rd_tile__ style), or remove tileset');
    return {};
  }
  const spec = field && typeof field.value === 'object' ? field.value : {};
  let layout = defaultLayout(styleName);
  if (spec.layout) {
    const columns = spec.layout[0]!.length;
    if (spec.layout.some((row) => row.length !== columns)) {
      error('tileset-layout-ragged', 'every row of tileset.layout must have as many tiles as the first', field!.loc,
        `give each row ${columns} codes (use . for a tile without corners)`);
      return {};
    }
    layout = { columns, rows: spec.layout.length, tiles: spec.layout.flat() };
  }
  return { tileset: { layout: { columns: layout.columns, rows: layout.rows, tiles: [...layout.tiles] }, terrains: spec.terrains ? [spec.terrains[0], spec.terrains[1]] : [...DEFAULT_TERRAINS] } };
}
