import { RetroSpritesError } from '../errors.js';
import { decodeFrames } from './frames.js';
import { formatLocation } from '../location.js';
import type { GeneratedImage } from '../providers/provider.js';
import type { GenerationRequest } from '../request.js';
import { buildTilesetImage, type BuiltTileset } from '../tileset/sheet.js';

/** A tileset sprite's answer (one PNG of tiles edge to edge) as a built tileset. */
export function tilesetFromAnswer(request: GenerationRequest, images: GeneratedImage[], extrude: number): BuiltTileset {
  const spec = request.options.tileset!;
  const what = `${formatLocation(request.source)}: sprite "${request.sprite}"`;
  if (images.length !== 1) {
    throw new RetroSpritesError('layout-mismatch', `${what}: a tileset is one image, the answer holds ${images.length}; remove num_images`);
  }
  const decoded = decodeFrames(images[0]!, what).frames[0]!.image;
  const tile = { width: request.payload.width, height: request.payload.height };
  const { image, margin, spacing } = buildTilesetImage(decoded, tile, spec.layout, extrude, what);
  return {
    name: request.sprite,
    image,
    tileWidth: tile.width,
    tileHeight: tile.height,
    columns: spec.layout.columns,
    rows: spec.layout.rows,
    tileCount: spec.layout.columns * spec.layout.rows,
    margin,
    spacing,
    layout: spec.layout,
    terrains: spec.terrains,
  };
}
