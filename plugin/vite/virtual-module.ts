import { PACK_SECTION } from '../core/phaser/pack-json.js';
import type { AssetKeys } from '../core/phaser/render.js';
import type { SpriteRef, TilesetRef } from '../client/index.js';
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
  const identity = (list: readonly string[]) => Object.fromEntries([...list].sort().map((k) => [k, k]));
  const frames: Record<string, Record<string, string>> = {};
  for (const atlas of [...keys.atlases].sort()) frames[atlas] = identity(keys.frames[atlas] ?? []);
  const sprites: Record<string, SpriteRef> = {};
  const sorted = [...requests].sort((a, b) => a.atlas.localeCompare(b.atlas) || a.sprite.localeCompare(b.sprite));
  for (const r of sorted) {
    // A sprite name used in two atlases is reachable as `<atlas>_<sprite>` for the second one.
    const name = r.sprite in sprites ? `${r.atlas}_${r.sprite}` : r.sprite;
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

/** `tilesets.<sprite>` (or `<atlas>_<sprite>` for a name two atlases share). */
function tilesetRefs(keys: AssetKeys): Record<string, TilesetRef> {
  const out: Record<string, TilesetRef> = {};
  const sorted = [...(keys.tilesets ?? [])].sort((a, b) => a.atlas.localeCompare(b.atlas) || a.sprite.localeCompare(b.sprite));
  for (const t of sorted) {
    const name = t.sprite in out ? `${t.atlas}_${t.sprite}` : t.sprite;
    const { atlas: _atlas, sprite: _sprite, ...ref } = t;
    out[name] = ref;
  }
  return out;
}

function spriteRef(r: KeyedRequest, keys: AssetKeys): SpriteRef {
  const out = keys.sprites[r.atlas]?.[r.sprite];
  if (!out) return {};
  if (out.tilesets?.length) return { image: out.tilesets[0]! };
  if (out.images.length > 0 && out.frames.length === 0) return { image: out.images[0]! };
  const frames = sortFrames(out.frames);
  const ref: SpriteRef = { atlas: r.atlas, frame: frames.includes(r.sprite) ? r.sprite : frames[0] };
  if (frames.length > 1) ref.frames = frames;
  if (Object.keys(out.actions).length) ref.animations = out.actions;
  return ref;
}

/** Frame names in natural order (`coin_2` before `coin_10`). */
function sortFrames(list: string[]): string[] {
  return [...list].sort((a, b) => a.localeCompare(b, 'en', { numeric: true }));
}

/**
 * The JavaScript of `virtual:retro-sprites`. It holds only keys and the pack URL; the art itself is
 * loaded by Phaser from the pack. In dev it also wires the HMR texture swap.
 */
export function virtualModuleCode(opts: { keys: VirtualKeys; packUrlExpr: string; runtimeImport: string; dev: boolean }): string {
  const k = opts.keys;
  const lines = [
    `import { createRuntime } from ${JSON.stringify(opts.runtimeImport)};`,
    `export const packKey = ${JSON.stringify(PACK_KEY)};`,
    `export const packUrl = ${opts.packUrlExpr};`,
    `export const atlases = Object.freeze(${JSON.stringify(k.atlases)});`,
    `export const frames = Object.freeze(${JSON.stringify(k.frames)});`,
    `export const animations = Object.freeze(${JSON.stringify(k.animations)});`,
    `export const images = Object.freeze(${JSON.stringify(k.images)});`,
    `export const sprites = Object.freeze(${JSON.stringify(k.sprites)});`,
    `export const tilesets = Object.freeze(${JSON.stringify(k.tilesets ?? {})});`,
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
