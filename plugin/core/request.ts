import type { TilesetLayout } from './tileset/layout.js';
import type { AnimationLayout } from './animation-layout.js';
import type { SourceLocation } from './location.js';
import type { ApiPayload } from './payload.js';

/** How a sprite's frames become Phaser animations and frames (the plugin's own manifest keys). */
export interface SpriteOptions {
  /** Layout of an animation style's frames (`animation:` in the manifest). */
  layout?: AnimationLayout;
  /** Make an animation over the `num_images` frames (`animation: true`). */
  animate: boolean;
  /** Frames per second; from the GIF's delays when absent. */
  frameRate?: number;
  /** Phaser repeat count; -1 loops forever. */
  repeat: number;
  /** Pivot in 0..1 of the frame, written as the atlas frame's `pivot`. */
  origin?: { x: number; y: number };
  /** Emit the answer as a tileset (`tileset:` in the manifest, implied by the tileset styles). */
  tileset?: { layout: TilesetLayout; terrains: [string, string] };
  /** A stretchable UI panel: border widths, or `auto` to find them in the image (`nine_slice:`). */
  nineSlice?: NineSliceBorders | 'auto';
}

export interface NineSliceBorders { left: number; right: number; top: number; bottom: number }

/**
 * One sprite of one manifest, ready to send: the exact API payload (defaults merged, referenced
 * images inlined as base64) plus where it came from and how its frames are to be cut.
 */
export interface GenerationRequest {
  /** Sprite name, unique in its atlas. */
  sprite: string;
  /** Phaser texture key of the atlas this sprite is packed into. */
  atlas: string;
  payload: ApiPayload;
  options: SpriteOptions;
  /** Where the sprite's entry starts in its manifest. */
  source: SourceLocation;
  /** Locations of individual fields, for errors the API answers about one of them. */
  fieldSources: Partial<Record<keyof ApiPayload | string, SourceLocation>>;
  /** Files the payload depends on (input_image, input_palette), absolute, for watching. */
  dependencies: string[];
}

/** A request with its content key under a given provider. */
export interface KeyedRequest extends GenerationRequest {
  key: string;
}
