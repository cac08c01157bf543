import type { NineSliceBorders } from '../../request.js';
import type { ManifestEntry } from '../schema.js';
import type { RuleContext } from './context.js';
import type { ResolvedStyle } from './style.js';

/** Styles that draw UI (bare names after the family prefix): where a nine-slice panel makes sense. */
const UI_STYLE = /^(ui|ui_element|ui_panel)$/;

/** `nine_slice:` of one sprite: checked against its size and style. */
export function resolveNineSlice(ctx: RuleContext, { name, style, label }: ResolvedStyle, w: number | undefined, h: number | undefined): NineSliceBorders | 'auto' | undefined {
  const field = ctx.get<ManifestEntry['nine_slice']>('nine_slice');
  if (!field || field.value === undefined) return undefined;
  if (style.animated || ctx.get<boolean>('tile_x')?.value || ctx.get<boolean>('tile_y')?.value || ctx.get('tileset')) {
    ctx.error('nine-slice-not-still', `nine_slice applies to still images; ${label} with animation, tiling or a tileset is not one`, field.loc,
      'remove nine_slice, or make the panel its own sprite');
    return undefined;
  }
  if (!UI_STYLE.test((name ?? '').replace(/^rd_[a-z_]+?__/, ''))) {
    ctx.warn('nine-slice-not-ui', `nine_slice is meant for UI styles (ui, rd_fast__ui, rd_plus__ui_element, rd_pro__ui_panel); ${label} may not draw a panel`, field.loc,
      'use a UI prompt_style, or remove nine_slice');
  }
  const v = field.value;
  if (v === 'auto') return 'auto';
  if (w !== undefined && v.left + v.right >= w) {
    ctx.error('nine-slice-too-wide', `nine_slice left ${v.left} + right ${v.right} leaves no middle in a ${w} pixel wide sprite`, field.loc, `keep left + right below ${w}`);
  }
  if (h !== undefined && v.top + v.bottom >= h) {
    ctx.error('nine-slice-too-tall', `nine_slice top ${v.top} + bottom ${v.bottom} leaves no middle in a ${h} pixel tall sprite`, field.loc, `keep top + bottom below ${h}`);
  }
  return { left: v.left, right: v.right, top: v.top, bottom: v.bottom };
}
