import { byName } from '../core/order.js';
import { PACK_SECTION } from '../core/phaser/pack-json.js';
import type { AssetKeys } from '../core/phaser/render.js';
import type { SpriteRef, TilesetRef } from '../client/index.js';
import type { IdentityList, SpriteList } from '../client/key-tables.js';
import type { KeyedRequest } from '../core/request.js';

export const VIRTUAL_ID = 'virtual:retro-sprites';
export const RESOLVED_VIRTUAL_ID = '\0' + VIRTUAL_ID;
/** The pack's one section is also the key a scene loads it under. */
export const PACK_KEY = PACK_SECTION;
export const UPDATE_EVENT = 'retro-sprites:update';

/** The key tables the virtual module exports, derived from the requests and the written atlases. */
export interface VirtualKeys {
  atlases: Record<string, string>;
  frames: Record<string, Record<string, string>>;
  animations: Record<string, string>;
  images: Record<string, string>;
  sprites: Record<string, SpriteRef>;
  tilesets?: Record<string, TilesetRef>;
}

export function virtualKeys(requests: readonly KeyedRequest[], keys: AssetKeys): VirtualKeys {
  const identity = (list: readonly string[]) => {
    const out: Record<string, string> = {};
    for (const k of inCodeUnitOrder(list)) {
      // What Object.fromEntries makes, without its pairs: `__proto__` (refused in manifests) too is an own key.
      if (k === '__proto__') Object.defineProperty(out, k, { value: k, enumerable: true, writable: true, configurable: true });
      else out[k] = k;
    }
    return out;
  };
  const frames: Record<string, Record<string, string>> = {};
  for (const atlas of [...keys.atlases].sort()) frames[atlas] = identity(keys.frames[atlas] ?? []);
  const sprites: Record<string, SpriteRef> = {};
  const sorted = [...requests].sort((a, b) => byName(a.atlas, b.atlas) || byName(a.sprite, b.sprite));
  for (const r of sorted) {
    // A sprite name used in two atlases is reachable as `<atlas>_<sprite>` for the second one.
    // Own keys only: `constructor` or `toString` is a sprite's name, not something every object has.
    const name = Object.hasOwn(sprites, r.sprite) ? `${r.atlas}_${r.sprite}` : r.sprite;
    sprites[name] = spriteRef(r, keys);
  }
  return {
    atlases: identity(keys.atlases),
    frames,
    animations: identity(keys.animations),
    images: identity(keys.images),
    sprites,
    tilesets: tilesetRefs(keys),
  };
}

/** The list sorted as `Array.prototype.sort` sorts strings; the renderer's lists mostly come sorted, and checking is cheaper than sorting. */
function inCodeUnitOrder(list: readonly string[]): readonly string[] {
  for (let i = 1; i < list.length; i++) if (list[i - 1]! > list[i]!) return [...list].sort();
  return list;
}

/** `tilesets.<sprite>` (or `<atlas>_<sprite>` for a name two atlases share). */
function tilesetRefs(keys: AssetKeys): Record<string, TilesetRef> {
  const out: Record<string, TilesetRef> = {};
  const sorted = [...(keys.tilesets ?? [])].sort((a, b) => byName(a.atlas, b.atlas) || byName(a.sprite, b.sprite));
  for (const t of sorted) {
    const name = t.sprite in out ? `${t.atlas}_${t.sprite}` : t.sprite;
    const { atlas: _atlas, sprite: _sprite, ...ref } = t;
    out[name] = ref;
  }
  return out;
}

function spriteRef(r: KeyedRequest, keys: AssetKeys): SpriteRef {
  const atlas = Object.hasOwn(keys.sprites, r.atlas) ? keys.sprites[r.atlas]! : undefined;
  const out = atlas && Object.hasOwn(atlas, r.sprite) ? atlas[r.sprite] : undefined;
  if (!out) return {};
  if (out.tilesets?.length) return { image: out.tilesets[0]! };
  if (out.images.length > 0 && out.frames.length === 0) return { image: out.images[0]! };
  const frames = sortFrames(out.frames);
  const ref: SpriteRef = { atlas: r.atlas, frame: frames.includes(r.sprite) ? r.sprite : frames[0] };
  if (frames.length > 1) ref.frames = frames;
  if (Object.keys(out.actions).length) ref.animations = out.actions;
  return ref;
}

/**
 * Frame names in natural order (`coin_2` before `coin_10`). One collator: `localeCompare` with
 * options makes one per call. Made on first use: creating it loads ICU's collation data (5 to 15 ms),
 * which a build that emits its kept output never needs.
 */
let natural: Intl.Collator['compare'] | undefined;
function sortFrames(list: string[]): string[] {
  if (list.length < 2) return [...list];
  natural ??= new Intl.Collator('en', { numeric: true }).compare;
  return [...list].sort(natural);
}

export const TABLE_NAMES = ['atlases', 'frames', 'animations', 'images', 'sprites', 'tilesets'] as const;
/**
 * Each key table as the JSON text the bundle carries (client/key-tables.ts says how it is packed):
 * a kept build stores these and never parses them to write them again.
 */
export type VirtualTables = Record<(typeof TABLE_NAMES)[number], string>;

export function virtualTables(k: VirtualKeys): VirtualTables {
  const names = (table: Record<string, string>): IdentityList => Object.keys(table);
  return {
    atlases: JSON.stringify(names(k.atlases)),
    frames: JSON.stringify(Object.fromEntries(Object.entries(k.frames).map(([atlas, frames]) => [atlas, names(frames)]))),
    animations: JSON.stringify(names(k.animations)),
    images: JSON.stringify(names(k.images)),
    sprites: JSON.stringify(spriteList(k.sprites)),
    tilesets: JSON.stringify(k.tilesets ?? {}),
  };
}

/** The sprites table in its packed form, in the table's own order. */
function spriteList(sprites: Record<string, SpriteRef>): SpriteList {
  const out: SpriteList = [];
  let group: SpriteList[number] | undefined;
  for (const [name, ref] of Object.entries(sprites)) {
    const plain = ref.atlas !== undefined && ref.frame === name && Object.keys(ref).length === 2;
    if (!group || (plain && group[0] !== ref.atlas)) out.push((group = [ref.atlas ?? '', []]));
    group[1].push(plain ? name : [name, ref]);
  }
  return out;
}

/** How each table is unpacked in the browser (a function of the client runtime, or a plain freeze). */
const EXPAND: Record<(typeof TABLE_NAMES)[number], string> = {
  atlases: 'identityTable',
  frames: 'frameTable',
  animations: 'identityTable',
  images: 'identityTable',
  sprites: 'spriteTable',
  tilesets: 'Object.freeze',
};

/**
 * A key table as JavaScript: its unpacking of a `JSON.parse` of one string literal. A game of
 * 20 000 sprites has tables of megabytes; as object literals the bundler parses and minifies every
 * key (and so does the browser), as one string it reads a single token and the browser's JSON
 * parser does the rest. Both calls are pure, so a table the game never imports is left out.
 */
function table(name: (typeof TABLE_NAMES)[number], json: string): string {
  // A single-quoted literal: JSON has no newlines and no single quotes to escape but in its text.
  const literal = `'${json.replace(/[\\']/g, (c) => `\\${c}`).replace(/\u2028/g, '\\u2028').replace(/\u2029/g, '\\u2029')}'`;
  return `/* @__PURE__ */ ${EXPAND[name]}(/* @__PURE__ */ JSON.parse(${literal}))`;
}

/**
 * The JavaScript of `virtual:retro-sprites`. It holds only keys and the pack URL; the art itself is
 * loaded by Phaser from the pack. In dev it also wires the HMR texture swap.
 */
export function virtualModuleCode(opts: { tables: VirtualTables; packUrlExpr: string; runtimeImport: string; dev: boolean }): string {
  const k = opts.tables;
  const lines = [
    `import { createRuntime, frameTable, identityTable, spriteTable } from ${JSON.stringify(opts.runtimeImport)};`,
    `export const packKey = ${JSON.stringify(PACK_KEY)};`,
    `export const packUrl = ${opts.packUrlExpr};`,
    `export const atlases = ${table('atlases', k.atlases)};`,
    `export const frames = ${table('frames', k.frames)};`,
    `export const animations = ${table('animations', k.animations)};`,
    `export const images = ${table('images', k.images)};`,
    `export const sprites = ${table('sprites', k.sprites)};`,
    `export const tilesets = ${table('tilesets', k.tilesets)};`,
    `export { addTileset, autotile } from ${JSON.stringify(opts.runtimeImport)};`,
    `const runtime = createRuntime({ packKey, packUrl, sprites });`,
    `/** Queues the generated pack (atlases, animations, tile images) on the scene's loader. */`,
    `export const preload = runtime.preload;`,
    `/** Adds a sprite by manifest name, playing its animation when it has one. */`,
    `export const add = runtime.add;`,
    `export default { packKey, packUrl, atlases, frames, animations, images, sprites, tilesets, preload, add };`,
  ];
  if (opts.dev) {
    lines.push(
      `if (import.meta.hot) {`,
      `  import.meta.hot.on(${JSON.stringify(UPDATE_EVENT)}, (update) => runtime.applyUpdate(update));`,
      `}`,
    );
  }
  return lines.join('\n') + '\n';
}
