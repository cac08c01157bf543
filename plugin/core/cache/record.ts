import type { Cost } from '../providers/provider.js';

/** Version of the on-disk layout; a reader refuses entries of a newer one. */
export const CACHE_FORMAT = 1;

export interface CachedFile {
  /** The file's name in the entry, e.g. `0.png` (`<key>.0.png` in its shard: cache/folder.ts). */
  name: string;
  format: 'png' | 'gif';
  width: number;
  height: number;
  sha256: string;
}

/**
 * `record.json` of a cache entry: enough to audit what was paid for and to verify the files.
 * The request is stored without secrets, and with referenced images reduced to their sha256 so the
 * record stays small and diffable.
 */
export interface CacheRecord {
  format: number;
  key: string;
  provider: { id: string; version: string };
  request: Record<string, unknown>;
  /** `<atlas>/<sprite>` that first asked for this entry; other sprites may share it. */
  requested_by: string;
  cost: Cost;
  model?: string;
  type?: string;
  /** ISO 8601. */
  created_at: string;
  files: CachedFile[];
}
