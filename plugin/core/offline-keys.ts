import { cacheKey } from './cache-key.js';
import { CacheStore } from './cache/store.js';
import { loadManifests, type ManifestPlan } from './manifest/index.js';
import type { AtlasOptions } from './phaser/atlas.js';
import { buildAtlas } from './phaser/build.js';
import { renderFiles, type AssetKeys } from './phaser/render.js';
import { spriteSourcesByAtlas } from './phaser/sprite-sources.js';
import { renderPlaceholder } from './providers/placeholder/index.js';
import type { KeyedRequest } from './request.js';

export interface OfflineKeys {
  plan: ManifestPlan;
  requests: KeyedRequest[];
  keys: AssetKeys;
  /** Sprites the cache does not hold yet: their keys follow the placeholder's drawing of the request. */
  notGenerated: KeyedRequest[];
}

/**
 * Every key the game can name, from the manifests and the cache alone: nothing is requested,
 * generated or written. A sprite missing from the cache is drawn by the placeholder in memory, so
 * its frames and animations are named as the manifest's layout says (`retro-sprites types` on a
 * fresh clone, before any build).
 */
export async function offlineKeys(opts: {
  root: string;
  manifests?: string | string[];
  cacheDir: string;
  provider: { id: string; version: string };
  allowUnknownStyles?: boolean;
  atlas?: AtlasOptions;
}): Promise<OfflineKeys> {
  const cacheRel = opts.cacheDir.startsWith(opts.root + '/') ? opts.cacheDir.slice(opts.root.length + 1) : undefined;
  const plan = await loadManifests({
    root: opts.root,
    manifests: opts.manifests,
    allowUnknownStyles: opts.allowUnknownStyles,
    ignore: cacheRel ? [`${cacheRel}/**`] : [],
  });
  const requests = plan.requests.map((r) => ({ ...r, key: cacheKey(r.payload, opts.provider) }));
  const found = await new CacheStore(opts.cacheDir).lookupMany([...new Set(requests.map((r) => r.key))]);
  const notGenerated: KeyedRequest[] = [];
  const groups = spriteSourcesByAtlas(requests, (request) => {
    const hit = found.get(request.key);
    if (hit?.status === 'hit') return { request, images: hit.entry.images };
    notGenerated.push(request);
    return { request, images: renderPlaceholder(request.payload) };
  });
  const atlases = [...groups].map(([name, sprites]) => buildAtlas(name, sprites, opts.atlas));
  const { keys } = renderFiles(atlases, { effort: 'fast' });
  return { plan, requests, keys, notGenerated };
}
