import { byName } from '../order.js';
import type { AtlasOptions, BuiltAtlas, SpriteSource } from './atlas.js';
import { buildAtlas } from './build.js';

/**
 * Builds atlases and remembers each one by a signature of its inputs, so that an update repacks
 * only the atlases whose sprites changed (the dev server's edit loop).
 */
export class AtlasBuilder {
  private readonly memo = new Map<string, { signature: string; atlas: BuiltAtlas }>();
  constructor(private readonly options: AtlasOptions = {}) {}

  /** Returns every atlas and the names of those that had to be rebuilt. */
  build(groups: Map<string, SpriteSource[]>, keyOf: (s: SpriteSource) => string): { atlases: BuiltAtlas[]; rebuilt: string[] } {
    const atlases: BuiltAtlas[] = [];
    const rebuilt: string[] = [];
    for (const [name, sprites] of groups) {
      const signature = JSON.stringify(
        sprites.map((s) => [s.request.sprite, keyOf(s), s.request.options] as const).sort((a, b) => byName(a[0], b[0])),
      );
      const known = this.memo.get(name);
      if (known && known.signature === signature) {
        atlases.push(known.atlas);
        continue;
      }
      const atlas = buildAtlas(name, sprites, this.options);
      this.memo.set(name, { signature, atlas });
      atlases.push(atlas);
      rebuilt.push(name);
    }
    for (const name of [...this.memo.keys()]) if (!groups.has(name)) this.memo.delete(name);
    return { atlases, rebuilt };
  }
}
