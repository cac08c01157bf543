/**
 * Atlas and sprite names become file names (`<atlas>.png`, `<atlas>_<sprite>.png`, with a
 * content hash in builds) and keys of JavaScript objects (Phaser's texture and frame tables, the
 * virtual module). Two things no pattern check catches:
 * - `__proto__` is not a key a plain object can hold: Phaser's TextureManager and Texture keep
 *   textures and frames in `{}` tables, where it would replace the prototype and vanish;
 * - a long name makes a file name past the file system's limit (255 bytes): the longest one built
 *   from two names is `<atlas>_<sprite>-<hash>.anims.json`, so each name stays within 100.
 * Other prototype names (`constructor`, `toString`, …) are ordinary names: they are own keys
 * everywhere and looked up with Object.hasOwn.
 */
export const MAX_NAME_LENGTH = 100;

/** Why a name cannot be used, as the message's tail and a hint; undefined when it is fine. */
export function nameProblem(name: string, what: 'atlas' | 'sprite'): { message: string; hint: string } | undefined {
  if (name === '__proto__') {
    return {
      message: `${what} name "__proto__" is reserved: JavaScript objects (Phaser's texture and frame tables among them) cannot hold a key of that name`,
      hint: `rename the ${what}, e.g. proto`,
    };
  }
  if (name.length > MAX_NAME_LENGTH) {
    return {
      message: `${what} name is ${name.length} characters long; ${what} names become file names and keys, and may have at most ${MAX_NAME_LENGTH}`,
      hint: `shorten it, e.g. ${name.slice(0, 24)}`,
    };
  }
  return undefined;
}
