import { layoutCellCount, resolveLayout, sheetPlacement, type StyleLayout } from '../animation-layout.js';
import { findStyle } from '../catalog.js';
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
  const layout = resolveLayout(payload.prompt_style, request.options.layout);
  if (!layout || payload.tile_x || payload.tile_y) return;
  const cell = (payload.prompt_style ? findStyle(payload.prompt_style)?.fixedSize : undefined) ?? { width: payload.width, height: payload.height };
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
      const expected = layoutCellCount(layout);
      const fits = expected === undefined ? gif.frames % layout.directions.length === 0 : gif.frames === expected;
      if (!fits) {
        throw malformed(`${what} is a GIF of ${gif.frames} frame${gif.frames === 1 ? '' : 's'}, but the animation layout expects ${expected ?? `a multiple of ${layout.directions.length}`} ` +
          `(${describe(layout)}); it was not cached. If the style answers another layout, set \`animation:\` in the manifest to match; otherwise generate again`);
      }
      return;
    }
    const size = gif ?? pngSize(image.bytes);
    const grid = layout.cellsPerDirection === 'any'
      ? (size ? { cols: size.width / cell.width, rows: size.height / cell.height } : { cols: 1, rows: 1 })
      : sheetPlacement(layout, layout.cellsPerDirection);
    const divides = size && Number.isInteger(grid.cols) && Number.isInteger(grid.rows) && grid.cols > 0 && grid.rows > 0
      && size.width % grid.cols === 0 && size.height % grid.rows === 0;
    if (!divides) {
      const got = size ? `a ${size.width}x${size.height} sheet` : 'a sheet of unknown size';
      const cells = layout.cellsPerDirection === 'any' ? `${cell.width}x${cell.height} cells` : `${grid.cols}x${grid.rows} cells`;
      throw malformed(`${what} is ${got}, which does not divide into the ${cells} of the animation layout ` +
        `(${describe(layout)}); it was not cached. Set \`animation:\` in the manifest to match the sheet, or generate again`);
    }
  });
}

function describe(layout: StyleLayout): string {
  return `${layout.directions.length} direction${layout.directions.length === 1 ? '' : 's'} x ${layout.cellsPerDirection} frames, ${layout.sheet.kind}`;
}

function malformed(message: string, cause?: unknown): RetroSpritesError {
  return new RetroSpritesError('bad-response', `malformed answer: ${message}`, cause === undefined ? undefined : { cause });
}
