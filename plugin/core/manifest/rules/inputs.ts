import { InputFileError, type ResolvedInput } from '../input-file.js';
import type { RuleContext, Sourced } from './context.js';
import type { ResolvedStyle } from './style.js';

/** The palette advice of the API docs: "200k characters or less". */
const PALETTE_ADVISED_CHARS = 200_000;

/** The referenced images, read and checked; undefined where absent or unreadable (reported). */
export async function resolveInputs(ctx: RuleContext, { style, label, field: styleField }: ResolvedStyle): Promise<{
  image?: ResolvedInput;
  palette?: ResolvedInput;
  strength?: Sourced<number>;
}> {
  const imageField = ctx.get<string>('input_image');
  if (style.requiresInputImage && !imageField) {
    ctx.error('missing-input-image', `${label} needs an input_image`, styleField?.loc ?? ctx.input.location,
      'add input_image: <path to a PNG, relative to this manifest>');
  }
  const strength = ctx.get<number>('strength');
  if (strength && !imageField) {
    ctx.warn('strength-without-input', 'strength has no effect without input_image', strength.loc, 'add input_image, or remove strength');
  }
  const paletteField = ctx.get<string>('input_palette');
  const [image, palette] = await Promise.all([readField(ctx, imageField), readField(ctx, paletteField)]);
  if (palette && paletteField && palette.base64.length > PALETTE_ADVISED_CHARS) {
    ctx.warn('large-palette', `input_palette is ${palette.base64.length} base64 characters; the API advises at most ${PALETTE_ADVISED_CHARS}`, paletteField.loc,
      'use a small palette image: one pixel per colour is enough');
  }
  return { image, palette, strength };
}

export async function readField(ctx: RuleContext, field: Sourced<string> | undefined): Promise<ResolvedInput | undefined> {
  if (!field) return undefined;
  try {
    return await ctx.build.readInput(field.value, field.loc.file);
  } catch (err) {
    if (err instanceof InputFileError) {
      ctx.error(err.code, err.message, field.loc, err.hint);
      return undefined;
    }
    throw err;
  }
}
