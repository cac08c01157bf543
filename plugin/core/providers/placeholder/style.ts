import { findStyle, isWalkingStyle, type StyleInfo } from '../../catalog.js';

/** How a prompt_style changes the drawing: the layout it asks for and how it is shaded. */
export interface StyleTraits {
  name: string;
  info: StyleInfo | undefined;
  layout: 'single' | 'texture' | 'ui' | 'item_sheet' | 'turnaround' | 'walk' | 'animation' | 'portrait';
  /** 0 flat, 1 normal, 2 rich (wider shadow band). */
  detail: 0 | 1 | 2;
  outline: boolean;
  oneBit: boolean;
  /** Reduce to a few colours per channel, the look of old consoles. */
  retro: boolean;
}

export function styleTraits(name: string | undefined): StyleTraits {
  const n = name ?? 'default';
  const info = findStyle(n);
  // The newer families prefix the seed's names (`rd_fast__game_asset`); strip it to read the intent.
  const bare = n.replace(/^rd_[a-z_]+?__/, '');
  const traits: StyleTraits = { name: n, info, layout: 'single', detail: 1, outline: true, oneBit: false, retro: false };
  if (isWalkingStyle(n)) traits.layout = 'walk';
  else if (info?.animated || (!info && /animation/.test(n))) traits.layout = 'animation';
  else if (/texture|tileset|single_tile|tile_variation|hexagonal_tiles|topdown_map|dungeon_map/.test(bare)) traits.layout = 'texture';
  else if (/^ui|ui_element|ui_panel|typography/.test(bare)) traits.layout = 'ui';
  else if (/item_sheet|inventory_items|spritesheet/.test(bare)) traits.layout = 'item_sheet';
  else if (/character_turnaround/.test(bare)) traits.layout = 'turnaround';
  else if (/portrait/.test(bare)) traits.layout = 'portrait';
  if (/simple|low_res|mc_item|classic|cartoon|skill_icon/.test(bare)) traits.detail = 0;
  if (/detailed|painterly|fantasy|horror|scifi|textured|environment|watercolor|isometric/.test(bare)) traits.detail = 2;
  if (bare === 'no_style') traits.outline = false;
  if (bare === '1_bit') traits.oneBit = true;
  if (bare === 'retro') traits.retro = true;
  return traits;
}

/** What the answer's `model` field says for this style, like the API. */
export function modelFor(info: StyleInfo | undefined): string {
  return `RDModel.${(info?.family ?? 'rd_flux').toUpperCase()}`;
}
