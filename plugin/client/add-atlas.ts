import type Phaser from 'phaser';

/**
 * Adds an atlas texture the way Phaser's own loader does, so a live swap ends with the texture a
 * fresh page load would have made.
 *
 * A multiatlas (`{ textures: [page, …] }`) must go in as one data entry per page: TextureManager's
 * `addAtlasJSONArray` (Phaser 3.90 and 4.x alike) reads several sources as pages only when its data
 * is an array, which is what MultiAtlasFile#addToCache hands it. Given the whole object, as
 * `addAtlas` passes it on, it parses the first page's frames and drops every other page's.
 * `sources` are in the order of `json.textures`.
 */
export function addAtlasTexture(
  textures: Phaser.Textures.TextureManager,
  key: string,
  sources: HTMLImageElement[],
  json: unknown,
): Phaser.Textures.Texture | null {
  const pages = (json as { textures?: unknown }).textures;
  if (Array.isArray(pages)) {
    return textures.addAtlasJSONArray(key, sources, pages as object[]);
  }
  // One page, JSON Hash: what the loader's `atlas` file type adds.
  return textures.addAtlasJSONHash(key, sources[0]!, json as object);
}
