import { DEFAULT_MODEL } from '../catalog.js';
import type { Diagnostic } from '../errors.js';
import type { ApiPayload } from '../payload.js';
import type { GenerationRequest, SpriteOptions } from '../request.js';
import { resolveAnimation } from './rules/animation.js';
import { resolveExtras } from './rules/extras.js';
import { ruleContext, type BuildContext, type SpriteInput } from './rules/context.js';
import { resolveInputs } from './rules/inputs.js';
import { resolveImageCount, resolveSize } from './rules/size.js';
import { checkModel, resolveStyle } from './rules/style.js';
import { resolveTileset } from './rules/tileset.js';
import { resolveNineSlice } from './rules/nine-slice.js';
import type { ManifestEntry } from './schema.js';

export type { BuildContext, SpriteInput } from './rules/context.js';

/**
 * Merges defaults into one sprite, applies the catalog's rules (`rules/`) and builds the exact API
 * payload. Returns every finding; the request only when there is no error.
 */
export async function buildRequest(input: SpriteInput, build: BuildContext): Promise<{ request?: GenerationRequest; diagnostics: Diagnostic[] }> {
  const diagnostics: Diagnostic[] = [];
  const ctx = ruleContext(input, build, diagnostics);
  const { get } = ctx;

  const prompt = get<string>('prompt');
  if (!prompt) {
    ctx.error('missing-prompt', `sprite ${ctx.quoted} has no prompt`, input.location, 'add `prompt: <what to draw>` to the sprite, or to `defaults:` for every sprite of the file');
  } else if (!prompt.value.trim()) {
    ctx.error('empty-prompt', `prompt of sprite ${ctx.quoted} is blank`, prompt.loc, 'describe what to draw');
  }
  const style = resolveStyle(ctx);
  const modelField = checkModel(ctx, style);
  const { w, h } = resolveSize(ctx, style);
  const numImages = resolveImageCount(ctx, style);
  const { image, palette, strength } = await resolveInputs(ctx, style);
  const { animate, layout, spritesheet } = resolveAnimation(ctx, style, numImages);
  const extras = await resolveExtras(ctx, style);
  const tiles = resolveTileset(ctx, style);
  const nineSlice = resolveNineSlice(ctx, style, w, h);

  if (diagnostics.some((d) => d.severity === 'error') || !prompt || w === undefined || h === undefined) {
    return { diagnostics };
  }

  // Field order follows the API docs; optional fields are left out rather than sent as undefined.
  const model = modelField?.value ?? (style.prefixed ? undefined : DEFAULT_MODEL);
  const payload: ApiPayload = {
    ...(model !== undefined ? { model } : {}),
    prompt: prompt.value,
    ...(style.name !== undefined ? { prompt_style: style.name } : {}),
    width: w,
    height: h,
    num_images: numImages,
  };
  const put = <K extends keyof ApiPayload>(key: K, v: ApiPayload[K] | undefined) => {
    if (v !== undefined) payload[key] = v;
  };
  put('seed', get<number>('seed')?.value);
  put('input_image', image?.base64);
  put('strength', strength?.value);
  put('input_palette', palette?.base64);
  put('remove_bg', get<boolean>('remove_bg')?.value);
  put('tile_x', get<boolean>('tile_x')?.value);
  put('tile_y', get<boolean>('tile_y')?.value);
  put('return_spritesheet', spritesheet?.value);
  const upscale = get<number | null>('upscale_output_factor');
  payload.upscale_output_factor = upscale ? upscale.value : 1;
  put('reference_images', extras.referenceImages?.map((r) => r.base64));
  put('frames_duration', extras.framesDuration);
  put('extra_prompt', extras.extraPrompt);
  put('extra_input_image', extras.extraImage?.base64);
  put('bypass_prompt_expansion', extras.bypassPromptExpansion);
  put('include_downloadable_data', extras.includeDownloadableData);

  const origin = get<ManifestEntry['origin']>('origin')?.value;
  const options: SpriteOptions = { animate, repeat: get<number>('repeat')?.value ?? -1 };
  if (layout) options.layout = layout;
  const frameRate = get<number>('frame_rate')?.value;
  if (frameRate !== undefined) options.frameRate = frameRate;
  if (tiles.tileset) options.tileset = tiles.tileset;
  if (nineSlice) options.nineSlice = nineSlice;
  if (origin) options.origin = Array.isArray(origin) ? { x: origin[0], y: origin[1] } : { x: origin.x, y: origin.y };

  const fieldSources: GenerationRequest['fieldSources'] = {};
  for (const [k, v] of ctx.fields) fieldSources[k] = v.loc;
  const dependencies = [image?.absolute, palette?.absolute, ...(extras.referenceImages ?? []).map((r) => r.absolute), extras.extraImage?.absolute]
    .filter((p): p is string => p !== undefined);

  return {
    diagnostics,
    request: {
      sprite: input.sprite,
      atlas: input.atlas,
      payload,
      options,
      source: input.location,
      fieldSources,
      dependencies: [...new Set(dependencies)],
    },
  };
}
