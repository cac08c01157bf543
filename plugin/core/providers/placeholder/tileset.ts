import { createImage, type RgbaImage } from '../../image/bitmap.js';
import { corners, RD_TILESET_LAYOUT } from '../../tileset/layout.js';
import { drawTexture, TEXTURE_FALLBACK, textureShapeFor, type TextureShape } from './kinds/texture.js';
import { ramp, type Rgb } from './palette.js';
import type { Rng } from './prng.js';
import { words } from './prompt.js';

/** The materials a prompt names, in order ("dirt path on grass" → dirt, stone, grass). */
function materials(text: string | undefined): TextureShape[] {
  return (text ? words(text) : []).map(textureShapeFor).filter((s) => s !== 'noise');
}

/**
 * Two terrains from the prompt: the ground is the last material named, what is painted on it the
 * first ("dirt path on grass": dirt on grass). `_advanced` names the second one in `extra_prompt`.
 */
export function tilesetTerrains(prompt: string, extraPrompt: string | undefined): [TextureShape, TextureShape] {
  const named = materials(prompt);
  const extra = materials(extraPrompt);
  const ground = named.length ? named[named.length - 1]! : 'grass';
  let path = extra[0] ?? named.find((s) => s !== ground) ?? (ground === 'dirt' ? 'grass' : 'dirt');
  if (path === ground) path = ground === 'dirt' ? 'stone' : 'dirt';
  return [ground, path];
}

/**
 * A tileset in the API's documented layout (4 x 5 tiles of width x height, see core/tileset/layout.ts):
 * every tile is drawn from its four corner terrains, the boundary where the corners' bilinear blend
 * crosses one half, outlined on the painted side. Each terrain is one seamless texture of the tile's
 * size, and a tile edge depends only on its two corners, so any two tiles that agree on a shared
 * edge's corners continue each other without a seam: the transitions of a painted map are right.
 */
export function drawTileset(tileW: number, tileH: number, prompt: string, extraPrompt: string | undefined, rng: Rng, detail: number): RgbaImage {
  const [groundShape, pathShape] = tilesetTerrains(prompt, extraPrompt);
  const torus = (salt: number) => ({ w: tileW, h: tileH, wrapX: true, wrapY: true, seed: (rng.u32() + salt) >>> 0 });
  const ground = drawTexture(torus(1), groundShape, TEXTURE_FALLBACK[groundShape], detail);
  const path = drawTexture(torus(2), pathShape, TEXTURE_FALLBACK[pathShape], detail);
  const edge: Rgb = ramp(TEXTURE_FALLBACK[pathShape])[0];
  const flowers = rng.fork('flowers');
  const { columns, rows, tiles } = RD_TILESET_LAYOUT;
  const out = createImage(columns * tileW, rows * tileH);
  tiles.forEach((code, id) => {
    const c = corners(code)!;
    const [tl, tr, bl, br] = c.map((b) => (b ? 1 : 0)) as [number, number, number, number];
    const ox = (id % columns) * tileW;
    const oy = Math.floor(id / columns) * tileH;
    const painted = (x: number, y: number): boolean => {
      const u = (x + 0.5) / tileW;
      const v = (y + 0.5) / tileH;
      return tl * (1 - u) * (1 - v) + tr * u * (1 - v) + bl * (1 - u) * v + br * u * v > 0.5;
    };
    for (let y = 0; y < tileH; y++) {
      for (let x = 0; x < tileW; x++) {
        const o = (y * tileW + x) * 4;
        const d = ((oy + y) * out.width + ox + x) * 4;
        if (!painted(x, y)) {
          out.data.set(ground.data.subarray(o, o + 4), d);
          continue;
        }
        // Outlined where the painted terrain meets the ground inside the tile.
        const rim = (x > 0 && !painted(x - 1, y)) || (x < tileW - 1 && !painted(x + 1, y))
          || (y > 0 && !painted(x, y - 1)) || (y < tileH - 1 && !painted(x, y + 1));
        if (rim) out.data.set([edge[0], edge[1], edge[2], 255], d);
        else out.data.set(path.data.subarray(o, o + 4), d);
      }
    }
    // The plain ground of column 1 in a few variants: a flower or two, away from the edges.
    if (code === 'aaaa' && id > 0 && tileW >= 8 && tileH >= 8) {
      for (let k = 0; k < 1 + (id % 3); k++) {
        const fx = ox + 2 + flowers.int(tileW - 4);
        const fy = oy + 2 + flowers.int(tileH - 4);
        out.data.set([236, 220, 80, 255], (fy * out.width + fx) * 4);
      }
    }
  });
  return out;
}
