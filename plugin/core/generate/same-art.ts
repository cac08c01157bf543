import type { CacheEntry } from '../cache/store.js';
import type { GenerationResult } from '../providers/provider.js';

/**
 * Whether a fresh answer holds exactly the images an entry already has. A regenerate that gives
 * the same bytes (a seeded request, the placeholder) then keeps the committed entry as it is:
 * rewriting it would change only its date and show up in `git status` for nothing.
 */
export function sameArt(entry: CacheEntry, result: GenerationResult): boolean {
  if (entry.images.length !== result.images.length) return false;
  return entry.images.every((img, i) => {
    const other = result.images[i]!;
    return img.format === other.format && Buffer.from(img.bytes).equals(Buffer.from(other.bytes));
  });
}
