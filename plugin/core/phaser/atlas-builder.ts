import { byName } from '../order.js';
import type { GeneratedImage } from '../providers/provider.js';
import type { AtlasOptions, BuiltAtlas, CarriedSprite, SpriteSource } from './atlas.js';
import { buildAtlas } from './build.js';
import { decodeFrames, type DecodedAnswer } from './frames.js';

interface Built {
  signature: string;
  atlas: BuiltAtlas;
  /** Its answer images decoded (keepDecoded only): a rebuild decodes only the images that are new. */
  decoded?: Map<GeneratedImage, DecodedAnswer>;
}

/**
 * Builds atlases and remembers each one by a signature of its inputs, so that an update repacks
 * only the atlases whose sprites changed (the dev server's edit loop).
 */
export class AtlasBuilder {
  private readonly memo = new Map<string, Built>();

  /**
   * `keepDecoded`: keep each atlas's decoded answers until its next build (the dev server: one
   * edited sprite then costs one decode, not the whole atlas's). They hold about as many pixels as
   * the atlas's pages; a one-off build leaves it off and lets them go as soon as a page is drawn.
   */
  constructor(
    private readonly options: AtlasOptions = {},
    private readonly keep: { keepDecoded?: boolean } = {},
  ) {}

  /**
   * Returns every atlas and the names of those that had to be rebuilt. `onBuilt` hears of each
   * rebuilt atlas as soon as it is made, and the event loop runs before the next: its pages can be
   * compressing on the thread pool while this thread packs the next atlas. `carried`: sprites an
   * atlas takes from its last build (atlas-memo.ts), beside or instead of its group.
   */
  async build(
    groups: ReadonlyMap<string, SpriteSource[]>,
    keyOf: (s: SpriteSource) => string,
    onBuilt: (atlas: BuiltAtlas) => void = () => undefined,
    carried: ReadonlyMap<string, CarriedSprite[]> = new Map(),
  ): Promise<{ atlases: BuiltAtlas[]; rebuilt: string[] }> {
    const atlases: BuiltAtlas[] = [];
    const rebuilt: string[] = [];
    const names = [...new Set([...groups.keys(), ...carried.keys()])].sort(byName);
    for (const name of names) {
      const sprites = groups.get(name) ?? [];
      const carriedHere = carried.get(name) ?? [];
      const signature = JSON.stringify(
        [
          ...sprites.map((s) => [s.request.sprite, keyOf(s), s.request.options] as const),
          ...carriedHere.map((s) => [s.request.sprite, `carried:${s.request.key}`, s.request.options] as const),
        ].sort((a, b) => byName(a[0], b[0])),
      );
      const known = this.memo.get(name);
      if (known && known.signature === signature) {
        atlases.push(known.atlas);
        continue;
      }
      let decoded: Map<GeneratedImage, DecodedAnswer> | undefined;
      let atlas: BuiltAtlas;
      if (this.keep.keepDecoded) {
        const last = known?.decoded;
        const now = new Map<GeneratedImage, DecodedAnswer>();
        atlas = buildAtlas(name, sprites, this.options, (image, what) => {
          const got = now.get(image) ?? last?.get(image) ?? decodeFrames(image, what);
          now.set(image, got);
          return got;
        }, carriedHere);
        decoded = now;
      } else {
        atlas = buildAtlas(name, sprites, this.options, decodeFrames, carriedHere);
      }
      this.memo.set(name, { signature, atlas, ...(decoded ? { decoded } : {}) });
      atlases.push(atlas);
      rebuilt.push(name);
      onBuilt(atlas);
      await new Promise(setImmediate);
    }
    for (const name of [...this.memo.keys()]) if (!groups.has(name) && !carried.has(name)) this.memo.delete(name);
    return { atlases, rebuilt };
  }
}
