/**
 * What the RetroDiffusion API accepts: models, styles, their size ranges and image limits.
 * Sources: shared/retrodiffusion-api.md (the seed, RD_FLUX + unprefixed styles) and
 * shared/retrodiffusion-catalog.md (the newer prefixed families). The live catalog grows, so
 * validation can be told to allow unknown styles (`allowUnknownStyles`).
 */

export type StyleFamily =
  | 'rd_flux'
  | 'rd_fast'
  | 'rd_plus'
  | 'rd_pro'
  | 'rd_animation'
  | 'rd_advanced_animation'
  | 'rd_tile';

export interface StyleInfo {
  /** The exact `prompt_style` value. */
  name: string;
  family: StyleFamily;
  minSize: number;
  maxSize: number;
  /** Animation styles answer at one fixed size whatever is asked. */
  fixedSize?: { width: number; height: number };
  /** Width must equal height. */
  square?: boolean;
  maxImages: number;
  /** Width and height must be a multiple of this. */
  sizeStep?: number;
  /** Answers an animated GIF (or a PNG sheet with `return_spritesheet`). */
  animated: boolean;
  requiresInputImage: boolean;
}

export const KNOWN_MODELS = ['RD_FLUX'] as const;
export type KnownModel = (typeof KNOWN_MODELS)[number];
/** Models the API dropped; named so the error can say what to use instead. */
export const RETIRED_MODELS: Record<string, string> = { RD_CLASSIC: 'RD_FLUX' };
export const DEFAULT_MODEL: KnownModel = 'RD_FLUX';

/** The style the seed documents for walking animations (RD_FLUX, 48x48, 4 directions x 4 frames). */
export const SEED_WALK_STYLE = 'animation_four_angle_walking';

const SEED_MAX_IMAGES = 16;
const API_MIN_SIZE = 16;
const API_MAX_SIZE = 512;

function family(
  fam: StyleFamily,
  names: string[],
  min: number,
  max: number,
  extra: Partial<StyleInfo> = {},
): StyleInfo[] {
  const prefix = fam === 'rd_flux' ? '' : `${fam}__`;
  return names.map((n) => ({
    name: prefix + n,
    family: fam,
    minSize: min,
    maxSize: max,
    maxImages: 16,
    animated: false,
    requiresInputImage: false,
    ...extra,
  }));
}

const fixed = (w: number, h: number): Partial<StyleInfo> => ({
  fixedSize: { width: w, height: h },
  minSize: Math.min(w, h),
  maxSize: Math.max(w, h),
  maxImages: 1,
  animated: true,
});

const STYLES: StyleInfo[] = [
  // The seed: RD_FLUX styles, without a prefix.
  ...family(
    'rd_flux',
    ['default', 'retro', 'simple', 'detailed', 'anime', 'game_asset', 'portrait', 'texture', 'ui',
      'item_sheet', 'mc_texture', 'mc_item', 'character_turnaround', '1_bit', 'no_style'],
    API_MIN_SIZE,
    API_MAX_SIZE,
    { maxImages: SEED_MAX_IMAGES },
  ),
  ...family('rd_flux', [SEED_WALK_STYLE], 48, 48, fixed(48, 48)),
  // Newer families (the catalog). Sizes per the catalog's table.
  ...family('rd_fast', ['default', 'simple', 'detailed', 'retro', 'game_asset', 'portrait', 'texture', 'ui',
    'item_sheet', 'character_turnaround', 'no_style', '1_bit'], 64, 384),
  ...family('rd_fast', ['low_res', 'mc_item', 'mc_texture'], 16, 128),
  ...family('rd_plus', ['default', 'retro', 'watercolor', 'textured', 'cartoon', 'ui_element', 'item_sheet',
    'character_turnaround', 'environment', 'isometric', 'isometric_asset', 'topdown_map', 'topdown_asset'], 64, 384),
  ...family('rd_plus', ['classic', 'skill_icon'], 32, 192),
  ...family('rd_plus', ['low_res', 'mc_item', 'mc_texture'], 16, 128),
  ...family('rd_plus', ['topdown_item'], 16, 96),
  ...family('rd_pro', ['default', 'painterly', 'fantasy', 'horror', 'scifi', 'simple', 'isometric', 'topdown',
    'platformer', 'dungeon_map', 'spritesheet', 'fps_weapon', 'typography'], 64, 256, { maxImages: 4 }),
  ...family('rd_pro', ['hexagonal_tiles', 'ui_panel', 'inventory_items'], 256, 256, { maxImages: 4 }),
  ...family('rd_pro', ['edit', 'pixelate'], 64, 256, { maxImages: 4, requiresInputImage: true }),
  ...family('rd_animation', ['four_angle_walking', 'four_angle_walking_idle'], 48, 48, fixed(48, 48)),
  ...family('rd_animation', ['small_sprites'], 32, 32, { ...fixed(32, 32), maxImages: 16 }),
  ...family('rd_animation', ['vfx'], 24, 96, { maxImages: 1, animated: true, square: true }),
  ...family('rd_animation', ['any_animation'], 64, 64, fixed(64, 64)),
  ...family('rd_animation', ['big_animation'], 128, 128, fixed(128, 128)),
  ...family('rd_animation', ['8_dir_rotation'], 80, 80, fixed(80, 80)),
  ...family('rd_animation', ['battle_sprites'], 64, 64, fixed(64, 64)),
  ...family('rd_advanced_animation', ['walking', 'idle', 'jump', 'crouch', 'attack', 'destroy', 'custom_action',
    'subtle_motion'], 32, 256, { maxImages: 1, animated: true, requiresInputImage: true }),
  // README.md, llms.txt: 32-256, a multiple of 8, $0.10; the same 8 facings as 8_dir_rotation.
  ...family('rd_advanced_animation', ['rotate'], 32, 256, { maxImages: 1, animated: true, requiresInputImage: true, sizeStep: 8 }),
  ...family('rd_tile', ['tileset', 'tileset_advanced'], 16, 32, { maxImages: 1 }),
  ...family('rd_tile', ['single_tile'], 16, 64, { maxImages: 1 }),
  ...family('rd_tile', ['tile_variation'], 16, 128, { maxImages: 1, requiresInputImage: true }),
  ...family('rd_tile', ['tile_object'], 16, 96, { maxImages: 1 }),
  ...family('rd_tile', ['scene_object'], 64, 384, { maxImages: 1 }),
];

const BY_NAME = new Map(STYLES.map((s) => [s.name, s]));

export const ALL_STYLE_NAMES: readonly string[] = STYLES.map((s) => s.name);
export const API_SIZE_RANGE = { min: API_MIN_SIZE, max: API_MAX_SIZE } as const;

export function findStyle(name: string): StyleInfo | undefined {
  return BY_NAME.get(name);
}

/** Info for styles the catalog does not know yet (allowed with `allowUnknownStyles`). */
export function unknownStyleInfo(name: string): StyleInfo {
  return {
    name,
    family: 'rd_flux',
    minSize: API_MIN_SIZE,
    maxSize: API_MAX_SIZE,
    maxImages: SEED_MAX_IMAGES,
    animated: /animation/.test(name),
    requiresInputImage: false,
  };
}

/** Styles whose answer is a 4-direction walking cycle (the default animation layout applies). */
export function isWalkingStyle(name: string | undefined): boolean {
  return name === SEED_WALK_STYLE || name === 'rd_animation__four_angle_walking'
    || name === 'rd_animation__four_angle_walking_idle';
}

/** Closest known names by edit distance, for "did you mean …". */
export function suggest(name: string, candidates: readonly string[], max = 3): string[] {
  const scored = candidates
    .map((c) => ({ c, d: editDistance(name.toLowerCase(), c.toLowerCase()) }))
    .filter(({ c, d }) => d <= Math.max(2, Math.floor(c.length / 3)))
    .sort((a, b) => a.d - b.d || a.c.localeCompare(b.c));
  return scored.slice(0, max).map((s) => s.c);
}

function editDistance(a: string, b: string): number {
  const prev = new Array<number>(b.length + 1);
  for (let j = 0; j <= b.length; j++) prev[j] = j;
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
}
