import { CacheStore, type CacheLookup } from '../store.js';
import type { RemoteCache } from './remote-cache.js';

/**
 * The local store with a remote cache behind it: what the local folder misses is fetched from the
 * remote (verified) before anyone decides to pay. Everything else is the local store's.
 */
export class RemoteBackedStore extends CacheStore {
  readonly remote: RemoteCache;

  constructor(dir: string, remote: RemoteCache) {
    super(dir);
    this.remote = remote;
  }

  override async lookupMany(keys: readonly string[]): Promise<Map<string, CacheLookup>> {
    const out = await super.lookupMany(keys);
    const missing = [...out].filter(([, l]) => l.status !== 'hit').map(([k]) => k);
    const fetched = await this.remote.fetchMany(missing, this);
    for (const [key, got] of fetched) if (got.status === 'hit') out.set(key, { status: 'hit', entry: got.entry });
    return out;
  }
}

/** The remote behind a store, if it has one. */
export function remoteOf(store: CacheStore): RemoteCache | undefined {
  return store instanceof RemoteBackedStore ? store.remote : undefined;
}
