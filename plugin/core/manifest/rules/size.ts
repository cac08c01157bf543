import type { SourceLocation } from '../../location.js';
import { at, type RuleContext, type SpriteInput } from './context.js';
import type { ResolvedStyle } from './style.js';

/**
 * Width and height within the style's range (or its one fixed size, with a warning when the
 * manifest asked for another). Undefined where a side is missing (reported).
 */
export function resolveSize(ctx: RuleContext, { style, label, field: styleField }: ResolvedStyle): { w?: number; h?: number } {
  const width = ctx.get<number>('width');
  const height = ctx.get<number>('height');
  let w: number | undefined = width?.value;
  let h: number | undefined = height?.value;
  if (style.fixedSize) {
    const fixed = style.fixedSize;
    if ((w !== undefined && w !== fixed.width) || (h !== undefined && h !== fixed.height)) {
      ctx.warn('animation-size', `${label} always answers ${fixed.width}x${fixed.height}; the ${w ?? fixed.width}x${h ?? fixed.height} asked for is normalized to ${fixed.width}x${fixed.height}`,
        sizeWarningLocation(ctx.input, w !== fixed.width ? 'width' : 'height', styleField?.loc),
        `set size: ${fixed.width} on this sprite, or leave the size out, to silence this warning`);
    }
    return { w: fixed.width, h: fixed.height };
  }
  if (w === undefined && h === undefined && style.minSize === style.maxSize) {
    w = h = style.minSize;
  }
  const range = `${style.minSize} to ${style.maxSize}`;
  if (w === undefined || h === undefined) {
    const missing = w === undefined && h === undefined ? 'a size' : w === undefined ? 'a width' : 'a height';
    ctx.error('missing-size', `sprite ${ctx.quoted} has ${missing === 'a size' ? 'no size' : `no ${missing.slice(2)}`}`, ctx.input.location,
      `add size: N, or width: and height:, to the sprite or to defaults; ${label} takes ${range} pixels`);
    return { w, h };
  }
  const fromSize = width !== undefined && height !== undefined && at(width.loc) === at(height.loc);
  const checks = fromSize ? [['size', w, width]] as const : [['width', w, width], ['height', h, height]] as const;
  for (const [name, v, field] of checks) {
    if (v < style.minSize || v > style.maxSize) {
      ctx.error('size-out-of-range', `${name} ${v} is outside the range of ${label} (${range} pixels)`, field?.loc ?? ctx.input.location,
        `choose a ${name} from ${range}`);
    }
  }
  if (style.sizeStep && (w % style.sizeStep !== 0 || h % style.sizeStep !== 0)) {
    ctx.error('size-step', `${label} takes sizes that are a multiple of ${style.sizeStep}; got ${w}x${h}`, width?.loc ?? ctx.input.location,
      `use size: ${Math.max(style.minSize, Math.round(w / style.sizeStep) * style.sizeStep)}`);
  }
  if (style.square && w !== h) {
    ctx.error('size-not-square', `${label} makes square images; got ${w}x${h}`, width?.loc ?? ctx.input.location, `use size: ${Math.max(w, h)}`);
  }
  return { w, h };
}

/** `num_images` within what the style makes per request. */
export function resolveImageCount(ctx: RuleContext, { style, label }: ResolvedStyle): number {
  const field = ctx.get<number>('num_images');
  const n = field?.value ?? 1;
  if (field && n > style.maxImages) {
    if (style.animated && style.maxImages === 1) {
      ctx.error('animation-num-images', `${label} makes one animation per request; num_images must be 1, got ${n}`, field.loc,
        'remove num_images; for variations make several sprites with different seeds');
    } else {
      ctx.error('too-many-images', `${label} makes at most ${style.maxImages} images per request; got num_images ${n}`, field.loc,
        `use num_images from 1 to ${style.maxImages}, or split the sprite in two`);
    }
  }
  return n;
}

/** The sprite's own size key when it wrote one, else its prompt_style: the reason for the change. */
function sizeWarningLocation(input: SpriteInput, key: 'width' | 'height', styleLoc: SourceLocation | undefined): SourceLocation {
  if (input.entry.size !== undefined) return input.entryLoc('size');
  if (input.entry[key] !== undefined) return input.entryLoc(key);
  return styleLoc ?? input.location;
}
