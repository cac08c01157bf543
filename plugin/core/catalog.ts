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
  | 'rd_tile'
  /** `rd_mini__` aliases, routed to Plus/Fast (README.md, llms.txt). */
  | 'rd_mini'
  /** `user__<name>_<id>`: styles an account made itself; the catalog cannot know them. */
  | 'user';

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
  /** How many `reference_images` the style takes (0: none). */
  maxReferenceImages?: number;
  /** `frames_duration` applies (animation styles). */
  framesDuration?: boolean;
  /** `extra_prompt` / `extra_input_image` apply (tileset_advanced). */
  extraInputs?: boolean;
  /** Account-specific (`user__…`): accepted without catalog validation. */
  userStyle?: boolean;
}

export const KNOWN_MODELS = ['RD_FLUX'] as const;
export type KnownModel = (typeof KNOWN_MODELS)[number];
/** Models the API dropped; named so the error can say what to use instead. */
export const RETIRED_MODELS: Record<string, string> = { RD_CLASSIC: 'RD_FLUX' };
export const DEFAULT_MODEL: KnownModel = 'RD_FLUX';

/** The style the seed documents for walking animations (RD_FLUX, 48x48, 4 directions x 4 frames). */
export const SEED_WALK_STYLE = 'animation_four_angle_walking';

const SEED_MAX_IMAGES = 16;
/** 12–512 (README.md, llms.txt; shared/retrodiffusion-v2.md correction 2). */
const API_MIN_SIZE = 12;
const API_MAX_SIZE = 512;
/** The documented `frames_duration` values (shared/retrodiffusion-catalog.md). */
export const FRAMES_DURATIONS = [4, 6, 8, 10, 12, 16] as const;

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

const anim = (extra: Partial<StyleInfo>): Partial<StyleInfo> => ({ ...extra, framesDuration: true });

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
  ...family('rd_flux', [SEED_WALK_STYLE], 48, 48, { ...fixed(48, 48), framesDuration: true }),
  // Newer families (the catalog). Sizes per the catalog's table.
  // llms.txt: rd_fast__default takes at most 15 (README.md says 16 for all of rd_fast: the lower wins).
  ...family('rd_fast', ['default'], 64, 384, { maxImages: 15 }),
  ...family('rd_fast', ['simple', 'detailed', 'retro', 'game_asset', 'portrait', 'texture', 'ui',
    'item_sheet', 'character_turnaround', 'no_style', '1_bit'], 64, 384),
  ...family('rd_fast', ['low_res', 'mc_item', 'mc_texture'], 16, 128),
  ...family('rd_plus', ['default', 'retro', 'watercolor', 'textured', 'cartoon', 'ui_element', 'item_sheet',
    'character_turnaround', 'environment', 'isometric', 'isometric_asset', 'topdown_map', 'topdown_asset'], 64, 384),
  ...family('rd_plus', ['classic', 'skill_icon'], 32, 192),
  ...family('rd_plus', ['low_res', 'mc_item', 'mc_texture'], 16, 128),
  ...family('rd_plus', ['topdown_item'], 16, 96),
  // README.md, llms.txt (correction 3); RD Pro takes up to 9 reference_images (the catalog).
  ...family('rd_pro', ['default', 'painterly', 'fantasy', 'horror', 'scifi', 'simple', 'isometric', 'topdown',
    'platformer'], 12, 256, { maxImages: 16, maxReferenceImages: 9 }),
  ...family('rd_pro', ['dungeon_map', 'spritesheet', 'fps_weapon', 'typography'], 64, 256, { maxImages: 4, maxReferenceImages: 9 }),
  ...family('rd_pro', ['hexagonal_tiles', 'ui_panel', 'inventory_items'], 256, 256, { maxImages: 4, maxReferenceImages: 9 }),
  ...family('rd_pro', ['edit'], 64, 256, { maxImages: 4, requiresInputImage: true, maxReferenceImages: 9 }),
  ...family('rd_pro', ['pixelate'], 16, 256, { maxImages: 16, requiresInputImage: true, maxReferenceImages: 9 }),
  // rd_mini__ aliases (README.md, llms.txt), routed to Plus/Fast.
  ...family('rd_mini', ['classic', 'skill_icon'], 32, 192),
  ...family('rd_mini', ['low_res', 'mc_item', 'mc_texture'], 16, 128),
  ...family('rd_mini', ['topdown_item'], 16, 96),
  ...family('rd_animation', ['four_angle_walking', 'four_angle_walking_idle'], 48, 48, anim(fixed(48, 48))),
  ...family('rd_animation', ['small_sprites'], 32, 32, anim({ ...fixed(32, 32), maxImages: 16 })),
  ...family('rd_animation', ['vfx'], 24, 96, anim({ maxImages: 1, animated: true, square: true })),
  // reference_images: any_animation and big_animation up to 9, 8_dir_rotation up to 5 (llms.txt).
  ...family('rd_animation', ['any_animation'], 64, 64, anim({ ...fixed(64, 64), maxReferenceImages: 9 })),
  ...family('rd_animation', ['big_animation'], 128, 128, anim({ ...fixed(128, 128), maxReferenceImages: 9 })),
  ...family('rd_animation', ['8_dir_rotation'], 80, 80, anim({ ...fixed(80, 80), maxReferenceImages: 5 })),
  ...family('rd_animation', ['battle_sprites'], 64, 64, anim(fixed(64, 64))),
  ...family('rd_advanced_animation', ['walking', 'idle', 'jump', 'crouch', 'attack', 'destroy', 'custom_action',
    'subtle_motion'], 32, 256, anim({ maxImages: 1, animated: true, requiresInputImage: true })),
  // README.md, llms.txt: 32-256, a multiple of 8, $0.10; the same 8 facings as 8_dir_rotation.
  ...family('rd_advanced_animation', ['rotate'], 32, 256, anim({ maxImages: 1, animated: true, requiresInputImage: true, sizeStep: 8 })),
  ...family('rd_tile', ['tileset'], 16, 32, { maxImages: 1 }),
  // extra_prompt and extra_input_image describe the second terrain (llms.txt, example-scripts/06_tileset.py).
  ...family('rd_tile', ['tileset_advanced'], 16, 32, { maxImages: 1, extraInputs: true }),
  ...family('rd_tile', ['single_tile'], 16, 64, { maxImages: 1 }),
  ...family('rd_tile', ['tile_variation'], 16, 128, { maxImages: 1, requiresInputImage: true }),
  ...family('rd_tile', ['tile_object'], 16, 96, { maxImages: 1 }),
  ...family('rd_tile', ['scene_object'], 64, 384, { maxImages: 1 }),
];

const BY_NAME = new Map(STYLES.map((s) => [s.name, s]));

export const ALL_STYLE_NAMES: readonly string[] = STYLES.map((s) => s.name);
export const API_SIZE_RANGE = { min: API_MIN_SIZE, max: API_MAX_SIZE } as const;

const USER_STYLE = /^user__[A-Za-z0-9_-]+$/;
/** `rd_mini__fast_*`: documented as a pattern (16–128), its members unnamed. */
const MINI_FAST = /^rd_mini__fast_[a-z0-9_]+$/;

export function findStyle(name: string): StyleInfo | undefined {
  const known = BY_NAME.get(name);
  if (known) return known;
  if (MINI_FAST.test(name)) return { name, family: 'rd_mini', minSize: 16, maxSize: 128, maxImages: 16, animated: false, requiresInputImage: false };
  if (USER_STYLE.test(name)) {
    // What a user style accepts is the account's business: only the API's own limits apply here.
    return { name, family: 'user', minSize: API_MIN_SIZE, maxSize: API_MAX_SIZE, maxImages: SEED_MAX_IMAGES, animated: false, requiresInputImage: false, maxReferenceImages: 9, userStyle: true };
  }
  return undefined;
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
