import { FRAMES_DURATIONS } from '../../catalog.js';
import type { ResolvedInput } from '../input-file.js';
import type { RuleContext, Sourced } from './context.js';
import { readField } from './inputs.js';
import type { ResolvedStyle } from './style.js';

/**
 * The newer API's optional fields (shared/retrodiffusion-v2.md, corrections 6, 7 and 9): reference
 * images within the style's limit, `frames_duration` for animations, the tileset_advanced extras,
 * and two flags sent as written.
 */
export interface ResolvedExtras {
  referenceImages?: ResolvedInput[];
  framesDuration?: number;
  extraPrompt?: string;
  extraImage?: ResolvedInput;
  bypassPromptExpansion?: boolean;
  includeDownloadableData?: boolean;
}

export async function resolveExtras(ctx: RuleContext, { style, label }: ResolvedStyle): Promise<ResolvedExtras> {
  const out: ResolvedExtras = {};
  const refs = ctx.get<string[]>('reference_images');
  if (refs) {
    const max = style.maxReferenceImages ?? 0;
    if (refs.value.length > max) {
      ctx.error('too-many-reference-images', max === 0
        ? `${label} takes no reference_images`
        : `${label} takes at most ${max} reference_images; got ${refs.value.length}`, refs.loc,
      max === 0 ? 'remove reference_images, or use an RD Pro style, any_animation, big_animation or 8_dir_rotation' : `keep ${max} or fewer`);
    }
    const read = await Promise.all(refs.value.map((p) => readField(ctx, { value: p, loc: refs.loc })));
    if (read.every((r): r is ResolvedInput => r !== undefined)) out.referenceImages = read;
  }
  const frames = ctx.get<number>('frames_duration');
  if (frames) {
    if (!style.framesDuration && !style.userStyle) {
      ctx.warn('frames-duration-not-animation', `frames_duration only changes animation styles; ${label} is not one`, frames.loc, 'remove frames_duration');
    }
    if ((FRAMES_DURATIONS as readonly number[]).includes(frames.value)) out.framesDuration = frames.value;
  }
  const extraPrompt = ctx.get<string>('extra_prompt');
  const extraImageField = ctx.get<string>('extra_input_image');
  for (const f of [extraPrompt, extraImageField]) {
    if (f && !style.extraInputs && !style.userStyle) {
      ctx.error('extra-not-advanced-tileset', `${f === extraPrompt ? 'extra_prompt' : 'extra_input_image'} applies only to rd_tile__tileset_advanced, not to ${label}`, f.loc,
        'use prompt_style: rd_tile__tileset_advanced, or remove it');
    }
  }
  if (extraPrompt) out.extraPrompt = extraPrompt.value;
  const extraImage = await readField(ctx, extraImageField as Sourced<string> | undefined);
  if (extraImage) out.extraImage = extraImage;
  const bypass = ctx.get<boolean>('bypass_prompt_expansion');
  if (bypass) out.bypassPromptExpansion = bypass.value;
  const downloadable = ctx.get<boolean>('include_downloadable_data');
  if (downloadable) out.includeDownloadableData = downloadable.value;
  return out;
}
