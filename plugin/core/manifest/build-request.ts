import { DEFAULT_WALK_LAYOUT, type AnimationLayout } from '../animation-layout.js';
import {
  ALL_STYLE_NAMES,
  DEFAULT_MODEL,
  KNOWN_MODELS,
  RETIRED_MODELS,
  findStyle,
  isWalkingStyle,
  suggest,
  unknownStyleInfo,
  type StyleInfo,
} from '../catalog.js';
import type { Diagnostic } from '../errors.js';
import type { SourceLocation } from '../location.js';
import type { ApiPayload } from '../payload.js';
import type { GenerationRequest, SpriteOptions } from '../request.js';
import { InputFileError, type ResolvedInput } from './input-file.js';
import type { ManifestEntry } from './schema.js';
import { tilesetRules } from './tileset-rules.js';

/** The palette advice of the API docs: "200k characters or less". */
const PALETTE_ADVISED_CHARS = 200_000;

/** A field's value and the YAML node it came from (the sprite's own key, or `defaults`). */
interface Sourced<T = unknown> {
  value: T;
  loc: SourceLocation;
}

export interface SpriteInput {
  sprite: string;
  atlas: string;
  file: string;
  /** Location of the sprite's name in the manifest. */
  location: SourceLocation;
  entry: ManifestEntry;
  defaults?: ManifestEntry;
  /** Where a key of the entry (or of defaults) sits. */
  entryLoc(key: string): SourceLocation;
  defaultsLoc(key: string): SourceLocation;
}

export interface BuildContext {
  allowUnknownStyles: boolean;
  /** Reads a referenced image (cached per run); throws InputFileError. */
  readInput(written: string, manifestFile: string): Promise<ResolvedInput>;
}

/**
 * Merges defaults into one sprite, applies the catalog's rules and builds the exact API payload.
 * Returns every finding; the request only when there is no error.
 */
export async function buildRequest(input: SpriteInput, ctx: BuildContext): Promise<{ request?: GenerationRequest; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const s = JSON.stringify(input.sprite);
  // A finding located in `defaults` is about one sprite among many: name it.
  const ownLines = new Set<string>([at(input.location), ...Object.keys(input.entry).map((k) => at(input.entryLoc(k)))]);
  const about = (message: string, location: SourceLocation) => (ownLines.has(at(location)) ? message : `sprite ${s}: ${message}`);
  const error = (code: string, message: string, location: SourceLocation, hint: string) =>
    diagnostics.push({ severity: 'error', code, message: about(message, location), location, hint });
  const warn = (code: string, message: string, location: SourceLocation, hint: string) =>
    diagnostics.push({ severity: 'warning', code, message: about(message, location), location, hint });

  const fields = new Map<string, Sourced>();
  for (const [layer, where] of [[input.defaults, input.defaultsLoc], [input.entry, input.entryLoc]] as const) {
    if (!layer) continue;
    const own = expandSize(layer, where, error);
    for (const [k, v] of own) fields.set(k, v);
  }
  const get = <T>(key: string): Sourced<T> | undefined => fields.get(key) as Sourced<T> | undefined;

  // prompt
  const prompt = get<string>('prompt');
  if (!prompt) {
    error('missing-prompt', `sprite ${s} has no prompt`, input.location, 'add `prompt: <what to draw>` to the sprite, or to `defaults:` for every sprite of the file');
  } else if (!prompt.value.trim()) {
    error('empty-prompt', `prompt of sprite ${s} is blank`, prompt.loc, 'describe what to draw');
  }

  // style
  const styleField = get<string>('prompt_style');
  let style: StyleInfo = { ...unknownStyleInfo(''), animated: false };
  let styleKnown = true;
  if (styleField) {
    const found = findStyle(styleField.value);
    if (found) style = found;
    else {
      style = unknownStyleInfo(styleField.value);
      styleKnown = false;
      if (!ctx.allowUnknownStyles) {
        const close = suggest(styleField.value, ALL_STYLE_NAMES);
        error('unknown-style', `unknown prompt_style ${JSON.stringify(styleField.value)}`, styleField.loc,
          (close.length ? `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}? ` : '')
          + 'if the API added this style since, allow it with --allow-unknown-styles or the plugin option allowUnknownStyles');
      }
    }
  }
  const styleName = styleField?.value;
  const styleLabel = styleName ? `prompt_style ${styleName}` : 'RD_FLUX without a prompt_style';
  // Prefixed families (rd_pro__…) imply their model; the seed's unprefixed names are RD_FLUX's.
  const prefixed = styleName !== undefined && (styleKnown ? style.family !== 'rd_flux' : styleName.includes('__'));

  // model
  const modelField = get<string>('model');
  if (modelField) {
    const m = modelField.value;
    if (RETIRED_MODELS[m]) {
      error('retired-model', `model ${m} was retired by the API`, modelField.loc, `use model: ${RETIRED_MODELS[m]}`);
    } else if (!(KNOWN_MODELS as readonly string[]).includes(m)) {
      const close = suggest(m, KNOWN_MODELS);
      error('unknown-model', `unknown model ${JSON.stringify(m)}`, modelField.loc,
        close.length ? `did you mean ${close.map((c) => JSON.stringify(c)).join(' or ')}?` : `known models: ${KNOWN_MODELS.join(', ')}; newer styles imply their model, so model may be left out`);
    } else if (prefixed) {
      warn('model-with-prefixed-style', `${styleLabel} implies its own model, yet model ${m} is sent too`, modelField.loc,
        'remove `model:` for this sprite (or from defaults) unless the API asks for it');
    }
  }

  // size
  const width = get<number>('width');
  const height = get<number>('height');
  let w: number | undefined = width?.value;
  let h: number | undefined = height?.value;
  if (style.fixedSize) {
    const fixed = style.fixedSize;
    if ((w !== undefined && w !== fixed.width) || (h !== undefined && h !== fixed.height)) {
      warn('animation-size', `${styleLabel} always answers ${fixed.width}x${fixed.height}; the ${w ?? fixed.width}x${h ?? fixed.height} asked for is normalized to ${fixed.width}x${fixed.height}`,
        sizeWarningLocation(input, w !== fixed.width ? 'width' : 'height', styleField?.loc),
        `set size: ${fixed.width} on this sprite, or leave the size out, to silence this warning`);
    }
    w = fixed.width;
    h = fixed.height;
  } else {
    if (w === undefined && h === undefined && style.minSize === style.maxSize) {
      w = h = style.minSize;
    }
    const range = `${style.minSize} to ${style.maxSize}`;
    if (w === undefined || h === undefined) {
      const missing = w === undefined && h === undefined ? 'a size' : w === undefined ? 'a width' : 'a height';
      error('missing-size', `sprite ${s} has ${missing === 'a size' ? 'no size' : `no ${missing.slice(2)}`}`, input.location,
        `add size: N, or width: and height:, to the sprite or to defaults; ${styleLabel} takes ${range} pixels`);
    } else {
      const fromSize = width !== undefined && height !== undefined && at(width.loc) === at(height.loc);
      const checks = fromSize ? [['size', w, width]] as const : [['width', w, width], ['height', h, height]] as const;
      for (const [name, v, field] of checks) {
        if (v < style.minSize || v > style.maxSize) {
          error('size-out-of-range', `${name} ${v} is outside the range of ${styleLabel} (${range} pixels)`, field?.loc ?? input.location,
            `choose a ${name} from ${range}`);
        }
      }
      if (style.square && w !== h) {
        error('size-not-square', `${styleLabel} makes square images; got ${w}x${h}`, width?.loc ?? input.location, `use size: ${Math.max(w, h)}`);
      }
    }
  }

  // num_images
  const numField = get<number>('num_images');
  const numImages = numField?.value ?? 1;
  if (numImages > style.maxImages) {
    if (style.animated && style.maxImages === 1) {
      error('animation-num-images', `${styleLabel} makes one animation per request; num_images must be 1, got ${numImages}`, numField!.loc,
        'remove num_images; for variations make several sprites with different seeds');
    } else {
      error('too-many-images', `${styleLabel} makes at most ${style.maxImages} images per request; got num_images ${numImages}`, numField!.loc,
        `use num_images from 1 to ${style.maxImages}, or split the sprite in two`);
    }
  }

  // inputs
  const inputImageField = get<string>('input_image');
  if (style.requiresInputImage && !inputImageField) {
    error('missing-input-image', `${styleLabel} needs an input_image`, styleField?.loc ?? input.location,
      'add input_image: <path to a PNG, relative to this manifest>');
  }
  const strength = get<number>('strength');
  if (strength && !inputImageField) {
    warn('strength-without-input', 'strength has no effect without input_image', strength.loc, 'add input_image, or remove strength');
  }
  const spritesheet = get<boolean>('return_spritesheet');
  if (spritesheet?.value && !style.animated) {
    warn('spritesheet-not-animation', `return_spritesheet only changes animation styles; ${styleLabel} is not one`, spritesheet.loc, 'remove return_spritesheet');
  }

  // animation options
  const animation = get<ManifestEntry['animation']>('animation');
  let layout: AnimationLayout | undefined;
  if (animation && typeof animation.value === 'object' && animation.value) {
    if (!style.animated) {
      error('layout-not-animation', `an animation layout applies only to animation styles; ${styleLabel} is not one`, animation.loc,
        'write animation: true to play the num_images frames as an animation');
    }
    const o = animation.value;
    layout = {
      directions: o.directions ? [...o.directions] : [...DEFAULT_WALK_LAYOUT.directions],
      framesPerDirection: o.frames ?? DEFAULT_WALK_LAYOUT.framesPerDirection,
      order: o.order ?? DEFAULT_WALK_LAYOUT.order,
    };
    if (new Set(layout.directions).size !== layout.directions.length) {
      error('duplicate-direction', 'animation.directions lists a direction twice', animation.loc, 'name each direction once');
    }
  } else if (style.animated && isWalkingStyle(styleName)) {
    layout = { ...DEFAULT_WALK_LAYOUT, directions: [...DEFAULT_WALK_LAYOUT.directions] };
  }
  if (animation?.value === true && !style.animated && numImages === 1) {
    warn('one-frame-animation', 'animation: true over one image makes a one-frame animation', animation.loc, 'set num_images to the number of frames (e.g. 4)');
  }
  const animate = animation?.value === false ? false : animation !== undefined ? true : style.animated;

  const tiles = tilesetRules(get, styleName, style.family, error, warn);

  const [image, palette, extraImage] = await Promise.all([
    readField(ctx, input, get<string>('input_image'), error),
    readField(ctx, input, get<string>('input_palette'), error),
    readField(ctx, input, get<string>('extra_input_image'), error),
  ]);
  const paletteField = get<string>('input_palette');
  if (palette && paletteField && palette.base64.length > PALETTE_ADVISED_CHARS) {
    warn('large-palette', `input_palette is ${palette.base64.length} base64 characters; the API advises at most ${PALETTE_ADVISED_CHARS}`, paletteField.loc,
      'use a small palette image: one pixel per colour is enough');
  }

  if (diagnostics.some((d) => d.severity === 'error') || !prompt || w === undefined || h === undefined) {
    return { diagnostics };
  }

  // Field order follows the API docs; optional fields are left out rather than sent as undefined.
  const model = modelField?.value ?? (prefixed ? undefined : DEFAULT_MODEL);
  const ordered: ApiPayload = {
    ...(model !== undefined ? { model } : {}),
    prompt: prompt.value,
    ...(styleName !== undefined ? { prompt_style: styleName } : {}),
    width: w,
    height: h,
    num_images: numImages,
  };
  const put = <K extends keyof ApiPayload>(key: K, v: ApiPayload[K] | undefined) => {
    if (v !== undefined) ordered[key] = v;
  };
  put('seed', get<number>('seed')?.value);
  put('input_image', image?.base64);
  put('strength', strength?.value);
  put('input_palette', palette?.base64);
  put('remove_bg', get<boolean>('remove_bg')?.value);
  put('tile_x', get<boolean>('tile_x')?.value);
  put('tile_y', get<boolean>('tile_y')?.value);
  put('return_spritesheet', spritesheet?.value);
  put('extra_prompt', get<string>('extra_prompt')?.value);
  put('extra_input_image', extraImage?.base64);
  const upscale = get<number | null>('upscale_output_factor');
  ordered.upscale_output_factor = upscale ? upscale.value : 1;

  const origin = get<ManifestEntry['origin']>('origin')?.value;
  const options: SpriteOptions = { animate, repeat: get<number>('repeat')?.value ?? -1 };
  if (layout) options.layout = layout;
  const frameRate = get<number>('frame_rate')?.value;
  if (frameRate !== undefined) options.frameRate = frameRate;
  if (tiles.tileset) options.tileset = tiles.tileset;
  if (origin) options.origin = Array.isArray(origin) ? { x: origin[0], y: origin[1] } : { x: origin.x, y: origin.y };

  const fieldSources: GenerationRequest['fieldSources'] = {};
  for (const [k, v] of fields) fieldSources[k] = v.loc;
  const dependencies = [image?.absolute, palette?.absolute, extraImage?.absolute].filter((p): p is string => p !== undefined);

  return {
    diagnostics,
    request: {
      sprite: input.sprite,
      atlas: input.atlas,
      payload: ordered,
      options,
      source: input.location,
      fieldSources,
      dependencies: [...new Set(dependencies)],
    },
  };
}

function at(loc: SourceLocation): string {
  return `${loc.file}:${loc.line}:${loc.column}`;
}

/** The sprite's own size key when it wrote one, else its prompt_style: the reason for the change. */
function sizeWarningLocation(input: SpriteInput, key: 'width' | 'height', styleLoc: SourceLocation | undefined): SourceLocation {
  if (input.entry.size !== undefined) return input.entryLoc('size');
  if (input.entry[key] !== undefined) return input.entryLoc(key);
  return styleLoc ?? input.location;
}

/** One layer's keys, with `size` expanded into width and height (located at `size`). */
function expandSize(
  layer: ManifestEntry,
  where: (key: string) => SourceLocation,
  error: (code: string, message: string, location: SourceLocation, hint: string) => void,
): Map<string, Sourced> {
  const out = new Map<string, Sourced>();
  for (const [k, v] of Object.entries(layer)) {
    if (v === undefined || k === 'size') continue;
    out.set(k, { value: v, loc: where(k) });
  }
  if (layer.size !== undefined) {
    if (layer.width !== undefined || layer.height !== undefined) {
      error('size-and-width', 'size and width/height are both given', where('size'),
        'size is shorthand for width = height: keep either size or width and height');
    }
    // Fill in what the layer left out, so the conflict above is the only error reported.
    if (layer.width === undefined) out.set('width', { value: layer.size, loc: where('size') });
    if (layer.height === undefined) out.set('height', { value: layer.size, loc: where('size') });
  }
  return out;
}

async function readField(
  ctx: BuildContext,
  input: SpriteInput,
  field: Sourced<string> | undefined,
  error: (code: string, message: string, location: SourceLocation, hint: string) => void,
): Promise<ResolvedInput | undefined> {
  if (!field) return undefined;
  try {
    return await ctx.readInput(field.value, field.loc.file);
  } catch (err) {
    if (err instanceof InputFileError) {
      error(err.code, err.message, field.loc, err.hint);
      return undefined;
    }
    throw err;
  }
}
