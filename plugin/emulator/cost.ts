import type { AcceptedPayload } from './validate.js';

/**
 * The emulator's price list, documented so tests and users can predict balances.
 *
 * Seed dialect (credits): an image costs one credit per started 256x256 pixels
 * (`ceil(w*h / 65536)`, at least 1) times `num_images`; an animation (GIF or sheet) costs 4 credits.
 *
 * Newer dialect (USD, rounded to 1e-6): the catalog's formulas. RD_FLUX styles and `rd_fast__`:
 * `max(0.015, (w*h + 100000) / 6e6) * n`; `rd_plus__`: `max(0.025, (w*h + 50000) / 2e6) * n`;
 * low-res styles (`low_res`, `mc_item`, `mc_texture`): `max(0.02, (w*h + 13700) / 600000) * n`;
 * `rd_pro__`: `0.18 * n`; animations 0.07 (`any_animation`, `8_dir_rotation`: 0.25); advanced
 * animations 0.14 (`custom_action`, `subtle_motion`: 0.25); tiles 0.10.
 */
export function priceOf(a: AcceptedPayload, dialect: 'seed' | 'newer'): number {
  const { width: w, height: h, count: n, style } = a;
  if (dialect === 'seed') {
    if (style?.animated) return 4;
    return Math.max(1, Math.ceil((w * h) / 65536)) * n;
  }
  const name = style?.name ?? '';
  const base = name.replace(/^rd_[a-z_]+?__/, '');
  let usd: number;
  switch (style?.family) {
    case 'rd_pro': usd = 0.18 * n; break;
    case 'rd_animation': usd = base === 'any_animation' || base === '8_dir_rotation' ? 0.25 : 0.07; break;
    case 'rd_advanced_animation': usd = base === 'custom_action' || base === 'subtle_motion' ? 0.25 : 0.14; break;
    case 'rd_tile': usd = 0.1; break;
    default:
      if (style?.animated) usd = 0.07;
      else if (['low_res', 'mc_item', 'mc_texture'].includes(base)) usd = Math.max(0.02, (w * h + 13700) / 600000) * n;
      else if (style?.family === 'rd_plus') usd = Math.max(0.025, (w * h + 50000) / 2e6) * n;
      else usd = Math.max(0.015, (w * h + 100000) / 6e6) * n;
  }
  return Math.round(usd * 1e6) / 1e6;
}
