/**
 * The key tables of `virtual:retro-sprites` as the bundle carries them, and their expansion in the
 * browser. A game of 20 000 sprites names each key once instead of three times (`{"coin":
 * {"atlas":"items","frame":"coin"}}` is `"coin"` in its atlas's list): a fifth of the bytes for the
 * bundler to parse, minify and write, and for the player to download.
 */

/** One manifest sprite, as `virtual:retro-sprites` describes it. */
export interface SpriteRef {
  atlas?: string;
  /** The first (or only) frame. */
  frame?: string;
  frames?: string[];
  /**
   * Animation keys by action and direction: `walk.down` (walking styles), `idle.left`, `face.up_right`
   * (8-direction rotation), `effect.default` (one-direction styles), `default.default` (num_images
   * with `animation: true`).
   */
  animations?: Record<string, Record<string, string>>;
  /** Texture key of a standalone (tiling) image. */
  image?: string;
}

/** Names that are their own keys (`atlases.heroes === 'heroes'`), as a sorted list. */
export type IdentityList = string[];

/**
 * Sprites grouped by atlas, in the order of the table: a name alone is `{ atlas, frame: name }`,
 * anything else is given whole.
 */
export type SpriteList = [atlas: string, items: (string | [name: string, ref: SpriteRef])[]][];

const identity = (names: readonly string[]): Record<string, string> => Object.fromEntries(names.map((n) => [n, n]));

export const identityTable = (names: IdentityList): Readonly<Record<string, string>> => Object.freeze(identity(names));

export const frameTable = (atlases: Record<string, IdentityList>): Readonly<Record<string, Record<string, string>>> =>
  Object.freeze(Object.fromEntries(Object.entries(atlases).map(([atlas, names]) => [atlas, identity(names)])));

export function spriteTable(list: SpriteList): Readonly<Record<string, SpriteRef>> {
  // Entries, not assignments: a key such as `__proto__` (atlas `_`, sprite `proto__`) stays a key.
  const entries: [string, SpriteRef][] = [];
  for (const [atlas, items] of list) {
    for (const item of items) entries.push(typeof item === 'string' ? [item, { atlas, frame: item }] : item);
  }
  return Object.freeze(Object.fromEntries(entries));
}
