/** The one section of our asset pack: `this.load.pack('retro-sprites', url)` or `load.addPack(json)`. */
export const PACK_SECTION = 'retro-sprites';

/** Field names as Phaser's loader file types read them from a pack (LoaderPlugin.addPack → this[type](file)). */
export type PackEntry =
  | { type: 'atlas'; key: string; textureURL: string; atlasURL: string }
  | { type: 'multiatlas'; key: string; url: string; path?: string }
  | { type: 'image'; key: string; url: string }
  | { type: 'animation'; key: string; url: string };

export function packJson(files: PackEntry[], path?: string): Record<string, { path?: string; files: PackEntry[] }> {
  return { [PACK_SECTION]: path === undefined ? { files } : { path, files } };
}
