import { byName } from '../order.js';
import type { KeyedRequest } from '../request.js';
import type { SpriteSource } from './atlas.js';

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
  return new Map([...groups].sort(([a], [b]) => byName(a, b)));
}
