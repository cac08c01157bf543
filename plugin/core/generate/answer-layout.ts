import { DEFAULT_WALK_LAYOUT, frameCount, sheetGrid, type AnimationLayout } from '../animation-layout.js';
import { isWalkingStyle } from '../catalog.js';
import { RetroSpritesError } from '../errors.js';
import { decodeGif, isGif } from '../image/gif.js';
import { pngSize } from '../image/png.js';
import type { GeneratedImage } from '../providers/provider.js';
import type { GenerationRequest } from '../request.js';

/**
 * An answer the build cannot lay out (a walking GIF with 8 of its 16 frames, a sheet that does not
 * divide into the layout's grid) is a malformed answer, refused as it arrives and never cached:
 * cached, it would break every later build until someone deleted the entry by hand.
 */
export function checkAnswerLayout(request: GenerationRequest, images: GeneratedImage[]): void {
  const { payload } = request;
  const layout = request.options.layout ?? (isWalkingStyle(payload.prompt_style) ? DEFAULT_WALK_LAYOUT : undefined);
  if (!layout || payload.tile_x || payload.tile_y) return;
  images.forEach((image, k) => {
    const what = images.length > 1 ? `image ${k + 1} of ${images.length}` : 'the image';
    let gif: { width: number; height: number; frames: number } | undefined;
    if (isGif(image.bytes)) {
      try {
        const decoded = decodeGif(image.bytes, what);
        gif = { width: decoded.width, height: decoded.height, frames: decoded.frames.length };
      } catch (err) {
        throw malformed(`${(err as Error).message}`, err);
      }
    }
    // An animation answers a GIF of every frame; `return_spritesheet` answers one sheet.
    if (gif && (gif.frames > 1 || !payload.return_spritesheet)) {
      const expected = frameCount(layout);
      if (gif.frames !== expected) {
        throw malformed(`${what} is a GIF of ${gif.frames} frame${gif.frames === 1 ? '' : 's'}, but the animation layout expects ${expected} ` +
          `(${describe(layout)}); it was not cached. If the style answers another layout, set \`animation:\` in the manifest to match; otherwise generate again`);
      }
      return;
    }
    const size = gif ?? pngSize(image.bytes);
    const grid = sheetGrid(layout);
    if (!size || size.width % grid.cols !== 0 || size.height % grid.rows !== 0) {
      const got = size ? `a ${size.width}x${size.height} sheet` : 'a sheet of unknown size';
      throw malformed(`${what} is ${got}, which does not divide into the ${grid.cols}x${grid.rows} cells of the animation layout ` +
        `(${describe(layout)}); it was not cached. Set \`animation:\` in the manifest to match the sheet, or generate again`);
    }
  });
}

function describe(layout: AnimationLayout): string {
  return `${layout.directions.length} direction${layout.directions.length === 1 ? '' : 's'} x ${layout.framesPerDirection} frames, ${layout.order}`;
}

function malformed(message: string, cause?: unknown): RetroSpritesError {
  return new RetroSpritesError('bad-response', `malformed answer: ${message}`, cause === undefined ? undefined : { cause });
}
