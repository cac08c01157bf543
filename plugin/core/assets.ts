import type { CacheEntry } from './cache/store.js';
import type { KeyedRequest } from './request.js';
import { buildAtlas, renderFiles, type AtlasOptions, type BuiltAtlas, type OutputFile, type SpriteSource } from './phaser/build.js';
import { writeOutputDir } from './output.js';

/** Sprites grouped by atlas (sorted), each with the images it is drawn from; a sprite with none is left out. */
export function spriteSourcesByAtlas(
  requests: readonly KeyedRequest[],
  sourceFor: (request: KeyedRequest) => SpriteSource | undefined,
): Map<string, SpriteSource[]> {
  const groups = new Map<string, SpriteSource[]>();
  for (const request of requests) {
    const source = sourceFor(request);
    if (!source) continue;
    const list = groups.get(request.atlas) ?? [];
    list.push(source);
    groups.set(request.atlas, list);
  }
  return new Map([...groups].sort(([a], [b]) => a.localeCompare(b)));
}

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
        sprites.map((s) => [s.request.sprite, keyOf(s), s.request.options]).sort((a, b) => String(a[0]).localeCompare(String(b[0]))),
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

/** `retro-sprites generate --out DIR`: what the build emits, written as plain files. */
export async function writeProjectOutput(
  run: { requests: KeyedRequest[]; entries: Map<string, CacheEntry> },
  dir: string,
  options: AtlasOptions = {},
): Promise<OutputFile[]> {
  const groups = spriteSourcesByAtlas(run.requests, (request) => {
    const images = run.entries.get(request.key)?.images;
    return images ? { request, images } : undefined;
  });
  const atlases = [...groups].map(([name, sprites]) => buildAtlas(name, sprites, options));
  const { files } = renderFiles(atlases);
  await writeOutputDir(dir, files);
  return files;
}
