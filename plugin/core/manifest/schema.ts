import { z } from 'zod';
import { ALL_STYLE_NAMES, API_SIZE_RANGE, FRAMES_DURATIONS, KNOWN_MODELS } from '../catalog.js';

/**
 * The manifest's shape, one source for three things: validation of types (here), the JSON Schema
 * editors autocomplete from (`manifestJsonSchema`), and the README's manifest reference
 * (`FIELD_DOCS`). Rules that need the catalog or other fields (a style's size range, its image
 * limit, fixed animation sizes) live in `rules.ts`, which can point at the right YAML node.
 */

/** Sprite and atlas names: they become Phaser keys and file names. */
export const NAME_PATTERN = /^[A-Za-z0-9_-]+$/;
/** The API takes seeds as 32-bit integers; staying within the signed range is safe on any backend. */
export const MAX_SEED = 2147483647;
export const MAX_NUM_IMAGES = 16;
export const MAX_UPSCALE = 16;
export const MAX_FRAME_RATE = 120;
export const MAX_LAYOUT_FRAMES = 64;
/** The most any style takes (RD Pro, any_animation, big_animation: 9). */
export const MAX_REFERENCE_IMAGES = 9;

/** One documented manifest key: what the README and error messages say about it. */
export interface FieldDoc {
  key: string;
  /** Type as a person reads it. */
  type: string;
  /** What a valid value is, completing "must be …". */
  expects: string;
  default: string;
  /** The API payload field it becomes, or `—` for the plugin's own keys. */
  api: string;
  description: string;
}

const { min: MIN_SIZE, max: MAX_SIZE } = API_SIZE_RANGE;
const sizeRange = `${MIN_SIZE} to ${MAX_SIZE}`;

export const FIELD_DOCS: FieldDoc[] = [
  { key: 'prompt', type: 'string', expects: 'non-empty text', default: '(required)', api: 'prompt', description: 'What to draw.' },
  { key: 'prompt_style', type: 'string', expects: 'a style name such as game_asset or rd_fast__retro', default: '(none)', api: 'prompt_style', description: 'Style; the seed\'s RD_FLUX names (`game_asset`, `animation_four_angle_walking`, …) or a newer prefixed family (`rd_fast__`, `rd_plus__`, `rd_pro__`, `rd_mini__`, `rd_animation__`, `rd_tile__`, …). Your account\'s own `user__<name>_<id>` styles are accepted without catalog checks, with a warning that they are account-specific.' },
  { key: 'model', type: 'string', expects: `a model name (${KNOWN_MODELS.join(', ')})`, default: '`RD_FLUX` for unprefixed styles; omitted for prefixed styles (the style implies it)', api: 'model', description: 'Model.' },
  { key: 'width', type: 'integer', expects: `an integer from ${sizeRange}`, default: 'from `size`; the style\'s fixed size for animation styles', api: 'width', description: 'Width in pixels, within the style\'s range.' },
  { key: 'height', type: 'integer', expects: `an integer from ${sizeRange}`, default: 'from `size`; the style\'s fixed size for animation styles', api: 'height', description: 'Height in pixels, within the style\'s range.' },
  { key: 'size', type: 'integer', expects: `an integer from ${sizeRange}`, default: '(none)', api: 'width, height', description: 'Shorthand for a square sprite: width = height = size.' },
  { key: 'num_images', type: 'integer', expects: `an integer from 1 to ${MAX_NUM_IMAGES}`, default: '`1`', api: 'num_images', description: 'Images per request (frames `name_0` … `name_N-1`); at most the style\'s maximum; animation styles take 1.' },
  { key: 'seed', type: 'integer', expects: `an integer from 0 to ${MAX_SEED}`, default: '(none: the API picks one, so results are not reproducible)', api: 'seed', description: 'Random seed, for reproducible results.' },
  { key: 'input_image', type: 'path', expects: 'a path to a PNG file, relative to the manifest', default: '(none)', api: 'input_image', description: 'Reference image (img2img, animation reference). Sent as base64 of an RGB PNG, transparency flattened over white.' },
  { key: 'strength', type: 'number', expects: 'a number from 0 to 1', default: '(none)', api: 'strength', description: 'How far img2img may move from `input_image` (0..1).' },
  { key: 'input_palette', type: 'path', expects: 'a path to a PNG file, relative to the manifest', default: '(none)', api: 'input_palette', description: 'Palette reference image; keep it small. Sent like `input_image`.' },
  { key: 'remove_bg', type: 'boolean', expects: 'true or false', default: '(none)', api: 'remove_bg', description: 'Transparent background.' },
  { key: 'tile_x', type: 'boolean', expects: 'true or false', default: '(none)', api: 'tile_x', description: 'Seamless horizontally; a sprite with `tile_x` or `tile_y` is emitted as a standalone repeatable texture.' },
  { key: 'tile_y', type: 'boolean', expects: 'true or false', default: '(none)', api: 'tile_y', description: 'Seamless vertically.' },
  { key: 'return_spritesheet', type: 'boolean', expects: 'true or false', default: '(none)', api: 'return_spritesheet', description: 'Animation styles: answer a PNG sheet instead of a GIF.' },
  { key: 'upscale_output_factor', type: 'number | null', expects: `a number above 0 and at most ${MAX_UPSCALE}, or null`, default: '`1` (native resolution)', api: 'upscale_output_factor', description: '`null` asks for the API\'s regular (upscaled) size.' },
  { key: 'reference_images', type: 'path[]', expects: 'a list of paths to PNG files, relative to the manifest', default: '(none)', api: 'reference_images', description: 'More reference images, each sent like `input_image`. RD Pro styles, `any_animation` and `big_animation` take up to 9, `8_dir_rotation` up to 5, other styles none.' },
  { key: 'frames_duration', type: 'integer', expects: `one of ${FRAMES_DURATIONS.join(', ')}`, default: '(none: the style\'s own length)', api: 'frames_duration', description: 'Animation styles: how many frames the animation runs for.' },
  { key: 'extra_prompt', type: 'string', expects: 'non-empty text', default: '(none)', api: 'extra_prompt', description: '`rd_tile__tileset_advanced` only: the second terrain the tiles blend into.' },
  { key: 'extra_input_image', type: 'path', expects: 'a path to a PNG file, relative to the manifest', default: '(none)', api: 'extra_input_image', description: '`rd_tile__tileset_advanced` only: a reference for the second terrain, sent like `input_image`.' },
  { key: 'bypass_prompt_expansion', type: 'boolean', expects: 'true or false', default: '(none)', api: 'bypass_prompt_expansion', description: 'Send the prompt as written, without the API\'s prompt expansion.' },
  { key: 'include_downloadable_data', type: 'boolean', expects: 'true or false', default: '(none)', api: 'include_downloadable_data', description: 'Ask the API for its `downloadable_data` too; the plugin keeps only the images.' },
  { key: 'animation', type: 'boolean | {directions, frames, order}', expects: 'true, false, or a mapping with directions, frames and order', default: '`true` for animation styles, else `false`', api: '—', description: '`true`: make a Phaser animation over the `num_images` frames. A mapping overrides the frame layout of an animation style (each style\'s own is in the README\'s table of animated styles; walking: directions `[down, left, right, up]`, `frames: 4`, `order: rows`).' },
  { key: 'animation.directions', type: 'string[]', expects: 'a list of direction names (letters, digits, _ and -)', default: '`[down, left, right, up]`', api: '—', description: 'One animation per direction, named `<sprite>_<direction>`.' },
  { key: 'animation.frames', type: 'integer', expects: `an integer from 1 to ${MAX_LAYOUT_FRAMES}`, default: '`4`', api: '—', description: 'Frames per direction.' },
  { key: 'animation.order', type: '`rows` \\| `columns`', expects: 'rows or columns', default: '`rows`', api: '—', description: 'In the sheet, one direction per row or per column.' },
  { key: 'frame_rate', type: 'number', expects: `a number above 0 and at most ${MAX_FRAME_RATE}`, default: 'from the GIF\'s frame delays, else 8', api: '—', description: 'Animation frames per second.' },
  { key: 'repeat', type: 'integer', expects: 'an integer from -1 (loop forever) upwards', default: '`-1`', api: '—', description: 'Phaser repeat count; -1 loops forever.' },
  // --- tilesets (issue 19) ---
  { key: 'tileset', type: 'boolean | {terrains, layout}', expects: 'true, false, or a mapping with terrains and layout', default: '`true` for `rd_tile__tileset` and `_advanced`, else `false`', api: '—', description: 'Emit the answer as a tileset: a standalone image of `size` tiles with margin, spacing and extruded edges, a Tiled `.tsj` with a corner wang set, and `tilesets.<sprite>` in `virtual:retro-sprites`. `true` on another tile style makes a one-tile tileset.' },
  { key: 'tileset.terrains', type: '[string, string]', expects: 'two terrain names', default: '`[ground, path]`', api: '—', description: 'Names of terrain `a` (the ground) and `b` (painted on it), as Tiled shows them.' },
  { key: 'tileset.layout', type: 'string[][]', expects: 'rows of tile codes: four letters a/b for the top-left, top-right, bottom-left and bottom-right corners, or . for a tile without corners', default: 'the style\'s documented 4x5 layout', api: '—', description: 'What each tile of the answer shows, row by row.' },
  // --- end tilesets ---
  // --- nine-slice (issue 19) ---
  { key: 'nine_slice', type: '{left, right, top, bottom} | auto', expects: 'auto, or a mapping of left, right, top and bottom border widths in pixels', default: '(none)', api: '—', description: 'UI styles: a panel that stretches without blurring its borders. Written as the frame\'s `scale9Borders` in the atlas JSON (Phaser\'s `add.nineslice` reads it); the frame is never trimmed. `auto` finds the borders around the image\'s uniform middle.' },
  // --- end nine-slice ---
  { key: 'origin', type: '[x, y] | {x, y}', expects: 'a pair [x, y] or a mapping {x, y} of numbers from 0 to 1', default: '(Phaser\'s default, the centre)', api: '—', description: 'Pivot of every frame, as fractions of its size; written as the atlas frame\'s `pivot`.' },
];

const DOC_BY_KEY = new Map(FIELD_DOCS.map((d) => [d.key, d]));

export function fieldDoc(key: string): FieldDoc | undefined {
  return DOC_BY_KEY.get(key);
}

const describe = <T extends z.ZodType>(key: string, schema: T): T => {
  const doc = DOC_BY_KEY.get(key);
  return doc ? schema.meta({ description: `${doc.description} API field: ${doc.api}. Default: ${doc.default.replace(/`/g, '')}.` }) : schema;
};

const size = () => z.int().min(MIN_SIZE).max(MAX_SIZE);
const unit = z.number().min(0).max(1);

const layoutSchema = z.strictObject({
  directions: describe('animation.directions', z.array(z.string().regex(NAME_PATTERN)).min(1)),
  frames: describe('animation.frames', z.int().min(1).max(MAX_LAYOUT_FRAMES)),
  order: describe('animation.order', z.enum(['rows', 'columns'])),
}).partial();

// --- tilesets (issue 19): kept apart so other request fields merge cleanly ---
const tilesetSchema = z.strictObject({
  terrains: describe('tileset.terrains', z.tuple([z.string().min(1), z.string().min(1)])),
  layout: describe('tileset.layout', z.array(z.array(z.string().regex(/^([ab]{4}|\.)$/)).min(1)).min(1)),
}).partial();

const tilesetShape = {
  tileset: describe('tileset', z.union([z.boolean(), tilesetSchema])),
};
// --- end tilesets ---

// --- nine-slice (issue 19) ---
const border = () => z.int().min(0).max(MAX_SIZE);
const nineSliceShape = {
  nine_slice: describe('nine_slice', z.union([z.literal('auto'), z.strictObject({ left: border(), right: border(), top: border(), bottom: border() })])),
};
// --- end nine-slice ---

/** Keys of one sprite entry (and of `defaults`), all optional here: `prompt` may come from defaults. */
export const entryShape = {
  prompt: describe('prompt', z.string().min(1)),
  prompt_style: describe('prompt_style', z.union([z.enum(ALL_STYLE_NAMES as [string, ...string[]]), z.string()])),
  model: describe('model', z.union([z.enum(KNOWN_MODELS), z.string()])),
  width: describe('width', size()),
  height: describe('height', size()),
  size: describe('size', size()),
  num_images: describe('num_images', z.int().min(1).max(MAX_NUM_IMAGES)),
  seed: describe('seed', z.int().min(0).max(MAX_SEED)),
  input_image: describe('input_image', z.string().min(1)),
  strength: describe('strength', unit),
  input_palette: describe('input_palette', z.string().min(1)),
  remove_bg: describe('remove_bg', z.boolean()),
  tile_x: describe('tile_x', z.boolean()),
  tile_y: describe('tile_y', z.boolean()),
  return_spritesheet: describe('return_spritesheet', z.boolean()),
  upscale_output_factor: describe('upscale_output_factor', z.number().gt(0).max(MAX_UPSCALE).nullable()),
  reference_images: describe('reference_images', z.array(z.string().min(1)).min(1).max(MAX_REFERENCE_IMAGES)),
  frames_duration: describe('frames_duration', z.union(FRAMES_DURATIONS.map((n) => z.literal(n)) as unknown as [z.ZodLiteral<number>, z.ZodLiteral<number>])),
  extra_prompt: describe('extra_prompt', z.string().min(1)),
  extra_input_image: describe('extra_input_image', z.string().min(1)),
  bypass_prompt_expansion: describe('bypass_prompt_expansion', z.boolean()),
  include_downloadable_data: describe('include_downloadable_data', z.boolean()),
  animation: describe('animation', z.union([z.boolean(), layoutSchema])),
  frame_rate: describe('frame_rate', z.number().gt(0).max(MAX_FRAME_RATE)),
  repeat: describe('repeat', z.int().min(-1)),
  origin: describe('origin', z.union([z.tuple([unit, unit]), z.strictObject({ x: unit, y: unit })])),
  ...tilesetShape,
  ...nineSliceShape,
};

export const ENTRY_KEYS: readonly string[] = Object.keys(entryShape);

export const entrySchema = z.strictObject(entryShape).partial().meta({
  id: 'sprite',
  description: 'One sprite: the RetroDiffusion request fields plus the plugin\'s own keys (size, animation, frame_rate, repeat, origin).',
});
export type ManifestEntry = z.infer<typeof entrySchema>;

export const TOP_LEVEL_KEYS = ['atlas', 'defaults', 'sprites'] as const;
/** Top-level keys the plugin ignores, a home for YAML anchors (`x-base: &base`), as in Compose files. */
export const EXTENSION_KEY = /^x-/;

/** The whole file. Validation runs it in parts (see `validate.ts`) so each error finds its node. */
export const manifestSchema = z
  .strictObject({
    atlas: z.string().regex(NAME_PATTERN).meta({
      description: 'Phaser texture key of the atlas these sprites are packed into. Default: the file name without extension. Several files may feed one atlas.',
    }).optional(),
    // Described in the README: a $ref cannot carry its own description in draft-07.
    defaults: entrySchema.optional(),
    sprites: z.record(z.string().regex(NAME_PATTERN), entrySchema).meta({
      description: 'Sprite name (letters, digits, _ and -; unique within the atlas) -> its generation request.',
    }),
  })
  .meta({
    title: 'retro-sprites manifest',
    description: 'Sprites to generate with RetroDiffusion and pack into a Phaser atlas (vite-plugin-retro-sprites).',
  });

export type Manifest = z.infer<typeof manifestSchema>;

/** The JSON Schema shipped as plugin/schema/manifest.schema.json, for `# yaml-language-server: $schema=`. */
export function manifestJsonSchema(): Record<string, unknown> {
  const schema = z.toJSONSchema(manifestSchema, { target: 'draft-07', io: 'input' }) as Record<string, unknown>;
  // zod's strict object has no notion of extension keys; allow them as the loader does.
  return { ...schema, patternProperties: { [EXTENSION_KEY.source]: { description: 'Ignored by the plugin: a place for YAML anchors (x-base: &base).' } } };
}

/** The shipped file's exact text (deterministic, pretty-printed, newline-terminated). */
export function manifestJsonSchemaText(): string {
  return JSON.stringify(manifestJsonSchema(), null, 2) + '\n';
}
