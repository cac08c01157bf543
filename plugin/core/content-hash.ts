import { createHash } from 'node:crypto';

/**
 * The sha256 (hex) of bytes that are not written to once made: encoded pages and the files a
 * build emits. Each is hashed once, however many places name it or key it by its content (the
 * atlas memo, the output's hashed name, the build memo): a build after an edit hashed the same
 * five megabytes three times.
 */
const known = new WeakMap<Uint8Array, string>();

export function contentHash(bytes: Uint8Array): string {
  let hash = known.get(bytes);
  if (hash === undefined) known.set(bytes, (hash = createHash('sha256').update(bytes).digest('hex')));
  return hash;
}
