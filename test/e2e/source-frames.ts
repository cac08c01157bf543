import type { RgbaImage } from '../../plugin/core/image/bitmap.js';
import { spriteFrames } from '../../plugin/core/phaser/frames.js';
import { tilesetFromAnswer } from '../../plugin/core/phaser/tileset-build.js';
import { loadProjectPlan, openProject } from '../../plugin/core/project.js';

/** Untrimmed pixels by texture key, then frame name (`__BASE` for a tiling image). */
export type SourceFrames = Map<string, Map<string, RgbaImage>>;

/**
 * The frames the pipeline decoded for a project, before any trimming or packing: every manifest
 * sprite's cache entry through the same `spriteFrames` the build uses. What a frame that Phaser cut
 * out of an emitted atlas must equal, pixel for pixel.
 *
 * A tiling image is keyed by its name: its texture key, unless it clashes with another texture
 * (then the build renames it and the comparison reports it missing rather than passing).
 */
export async function sourceFrames(root: string): Promise<SourceFrames> {
  const project = openProject({ root, env: {} });
  const { requests } = await loadProjectPlan(project);
  const found = await project.store.lookupMany(requests.map((r) => r.key));
  const out: SourceFrames = new Map();
  const put = (key: string, frame: string, image: RgbaImage): void => {
    const frames = out.get(key) ?? new Map<string, RgbaImage>();
    frames.set(frame, image);
    out.set(key, frames);
  };
  for (const request of requests) {
    const lookup = found.get(request.key);
    if (lookup?.status !== 'hit') throw new Error(`${request.atlas}/${request.sprite}: not in the cache of ${root} (${lookup?.status})`);
    if (request.options.tileset) {
      // A tileset is its own image texture: the answer cut into spaced tiles (default extrude 1).
      put(request.sprite, '__BASE', tilesetFromAnswer(request, lookup.entry.images, 1).image);
      continue;
    }
    const made = spriteFrames(request, lookup.entry.images);
    for (const f of made.frames) put(request.atlas, f.name, f.image);
    for (const t of made.tileImages) put(t.name, '__BASE', t.image);
  }
  return out;
}
