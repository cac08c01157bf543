import { findStyle } from '../../catalog.js';
import type { ApiPayload } from '../../payload.js';
import type { Cost } from '../provider.js';

/**
 * The price of a request computed here, from the formulas the catalog publishes
 * (shared/retrodiffusion-catalog.md, "Cost"; USD, the newer pricing), so a known price costs no
 * round trip. Undefined where no formula is known and `check_cost` must answer:
 * - the seed's RD_FLUX styles (no prefix), the `rd_mini__` aliases and `user__` styles: the
 *   catalog's table has no line for them;
 * - `rd_advanced_animation__rotate`: not in the catalog's table, priced apart in the newer notes;
 * - tile styles other than `tileset` and `tileset_advanced`: the catalog prices every tile style at
 *   0.10, the newer notes (retrodiffusion-v2.md, 8) only those two and the others by the low-res
 *   formula; where the sources disagree, the API decides;
 * - styles the built-in catalog does not know;
 * - accounts billed in credits (the seed's pricing: "depends on model and resolution", no formula).
 * `check_cost` stays authoritative: `--exact-cost` / `api.exactCost` asks it for every price.
 */
export function knownPrice(payload: ApiPayload): Cost | undefined {
  if (payload.prompt_style === undefined) return undefined;
  const style = findStyle(payload.prompt_style);
  if (!style) return undefined;
  const base = style.name.slice(style.name.indexOf('__') + 2);
  const n = payload.num_images ?? 1;
  // Animation styles answer at their own size whatever is asked; their prices are flat anyway.
  const w = style.fixedSize?.width ?? payload.width;
  const h = style.fixedSize?.height ?? payload.height;
  let usd: number;
  switch (style.family) {
    case 'rd_flux':
    default:
      // The seed's styles, the `rd_mini__` aliases (routed to Plus or Fast, which one is not
      // published) and an account's own `user__` styles: no formula.
      return undefined;
    case 'rd_pro':
      usd = 0.18 * n;
      break;
    case 'rd_animation':
      usd = base === 'any_animation' || base === '8_dir_rotation' ? 0.25 : 0.07;
      break;
    case 'rd_advanced_animation':
      // `rotate` is not in the catalog's table; the newer notes price it at 0.10: ask.
      if (base === 'rotate') return undefined;
      usd = base === 'custom_action' || base === 'subtle_motion' ? 0.25 : 0.14;
      break;
    case 'rd_tile':
      if (base !== 'tileset' && base !== 'tileset_advanced') return undefined;
      usd = 0.1;
      break;
    case 'rd_fast':
    case 'rd_plus':
      if (base === 'low_res' || base === 'mc_item' || base === 'mc_texture') usd = Math.max(0.02, (w * h + 13700) / 600000) * n;
      else if (style.family === 'rd_plus') usd = Math.max(0.025, (w * h + 50000) / 2e6) * n;
      else usd = Math.max(0.015, (w * h + 100000) / 6e6) * n;
      break;
  }
  // Six decimals, as the API answers prices.
  return { amount: Math.round(usd * 1e6) / 1e6, unit: 'usd' };
}
