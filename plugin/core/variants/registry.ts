import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { isCacheKey } from '../cache/folder.js';
import { atomicWrite } from '../fs/atomic-write.js';

/** A variant kept in the cache: which sprite it is a candidate for, and its seed. */
export interface VariantNote {
  atlas: string;
  sprite: string;
  seed: number;
}

const FILE = 'variants.json';
const MAX_BYTES = 1_000_000;

/**
 * The cache folder's list of variant entries, so `prune` keeps them until asked (`--variants`).
 * The folder is committed and a pull request can put anything in it: the file is read bounded and
 * only well-formed notes of real cache keys are kept; it can only protect entries from pruning.
 */
export async function readVariants(cacheDir: string): Promise<Map<string, VariantNote>> {
  const text = await readFile(join(cacheDir, FILE), 'utf8').catch(() => undefined);
  const out = new Map<string, VariantNote>();
  if (!text || text.length > MAX_BYTES) return out;
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return out;
  }
  const variants = (json as { variants?: unknown })?.variants;
  if (!variants || typeof variants !== 'object') return out;
  for (const [key, v] of Object.entries(variants as Record<string, unknown>)) {
    const n = v as Partial<VariantNote>;
    if (isCacheKey(key) && typeof n?.atlas === 'string' && typeof n.sprite === 'string' && Number.isInteger(n.seed)) {
      out.set(key, { atlas: n.atlas, sprite: n.sprite, seed: n.seed! });
    }
  }
  return out;
}

export async function writeVariants(cacheDir: string, notes: Map<string, VariantNote>): Promise<void> {
  const sorted = Object.fromEntries([...notes].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
  await atomicWrite(join(cacheDir, FILE), JSON.stringify({ version: 1, variants: sorted }, null, 2) + '\n');
}
