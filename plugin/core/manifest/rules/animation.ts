import { DEFAULT_WALK_LAYOUT, type AnimationLayout } from '../../animation-layout.js';
import type { ManifestEntry } from '../schema.js';
import type { RuleContext, Sourced } from './context.js';
import type { ResolvedStyle } from './style.js';

export interface ResolvedAnimation {
  /** Play the frames as an animation. */
  animate: boolean;
  /** How a sheet or GIF is cut into directions and frames. */
  layout?: AnimationLayout;
  spritesheet?: Sourced<boolean>;
}

/** Whether and how the answer animates: the style's own layout, or the manifest's override. */
export function resolveAnimation(ctx: RuleContext, { style, label }: ResolvedStyle, numImages: number): ResolvedAnimation {
  const spritesheet = ctx.get<boolean>('return_spritesheet');
  if (spritesheet?.value && !style.animated) {
    ctx.warn('spritesheet-not-animation', `return_spritesheet only changes animation styles; ${label} is not one`, spritesheet.loc, 'remove return_spritesheet');
  }
  const animation = ctx.get<ManifestEntry['animation']>('animation');
  let layout: AnimationLayout | undefined;
  if (animation && typeof animation.value === 'object' && animation.value) {
    if (!style.animated) {
      ctx.error('layout-not-animation', `an animation layout applies only to animation styles; ${label} is not one`, animation.loc,
        'write animation: true to play the num_images frames as an animation');
    }
    const o = animation.value;
    layout = {
      directions: o.directions ? [...o.directions] : [...DEFAULT_WALK_LAYOUT.directions],
      framesPerDirection: o.frames ?? DEFAULT_WALK_LAYOUT.framesPerDirection,
      order: o.order ?? DEFAULT_WALK_LAYOUT.order,
    };
    if (new Set(layout.directions).size !== layout.directions.length) {
      ctx.error('duplicate-direction', 'animation.directions lists a direction twice', animation.loc, 'name each direction once');
    }
  }
  // Without a mapping the style's own layout (STYLE_LAYOUTS) applies, resolved where the frames are cut.
  if (animation?.value === true && !style.animated && numImages === 1) {
    ctx.warn('one-frame-animation', 'animation: true over one image makes a one-frame animation', animation.loc, 'set num_images to the number of frames (e.g. 4)');
  }
  const animate = animation?.value === false ? false : animation !== undefined ? true : style.animated;
  return { animate, layout, spritesheet };
}
