/// <reference lib="dom" />
import type Phaser from 'phaser';
import { addAtlasTexture } from './add-atlas.js';
import type { SpriteRef } from './key-tables.js';
import type { RetroSpritesUpdate } from './update.js';

export type { RetroSpritesUpdate };
export { addTileset, autotile, type TilesetRef } from './tileset.js';
// What `virtual:retro-sprites` unpacks its key tables with.
export { frameTable, identityTable, spriteTable, type SpriteRef } from './key-tables.js';

export interface RuntimeConfig {
  packKey: string;
  packUrl: string;
  sprites: Record<string, SpriteRef>;
}

/** Counters a test (or a curious developer) can read on `window.__retroSprites`. */
interface RuntimeStats {
  updates: number;
  lastUpdate?: { atlases: string[]; images: string[] };
}

type AnyObject = Phaser.GameObjects.GameObject & {
  texture?: Phaser.Textures.Texture;
  frame?: Phaser.Textures.Frame;
  displayTexture?: Phaser.Textures.Texture | null;
  displayFrame?: Phaser.Textures.Frame | null;
  list?: AnyObject[];
  anims?: Phaser.Animations.AnimationState;
  setTexture?: (key: string, frame?: string | number) => unknown;
};

function loadImage(url: string): Promise<HTMLImageElement> {
  return new Promise((resolve, reject) => {
    const img = new Image();
    img.onload = () => resolve(img);
    img.onerror = () => reject(new Error(`retro-sprites: could not load ${url}`));
    img.src = url;
  });
}

/**
 * The texture (and frame) of ours an object shows, when it is one of `keys`. Phaser 3's TileSprite
 * draws its `displayTexture` through a canvas texture of its own, which is its `texture`; Phaser 4's
 * is the other way round (and has a `displayTexture` only under the canvas renderer). Either way
 * the one to swap is the one whose key is ours, and `setTexture` sets that one on both majors.
 */
function shownTexture(obj: AnyObject, keys: ReadonlySet<string>): { key: string; frame: string } | undefined {
  if (obj.displayTexture && keys.has(obj.displayTexture.key)) return { key: obj.displayTexture.key, frame: String(obj.displayFrame?.name ?? '__BASE') };
  if (obj.texture && keys.has(obj.texture.key)) return { key: obj.texture.key, frame: String(obj.frame?.name ?? '__BASE') };
  return undefined;
}

function walk(list: readonly AnyObject[], visit: (o: AnyObject) => void): void {
  for (const o of list) {
    visit(o);
    if (Array.isArray(o.list)) walk(o.list, visit);
  }
}

/**
 * The browser half of the plugin: queues the pack on a scene's loader, adds sprites by manifest
 * name, and in dev swaps changed textures and animations in the running game (no reload):
 * objects keep their place, frame and the animation they were playing.
 */
export function createRuntime(config: RuntimeConfig) {
  let game: Phaser.Game | undefined;
  const stats: RuntimeStats = { updates: 0 };
  if (typeof window !== 'undefined') (window as unknown as { __retroSprites: RuntimeStats }).__retroSprites = stats;

  function preload(scene: Phaser.Scene): void {
    game = scene.sys.game;
    scene.load.pack(config.packKey, config.packUrl, config.packKey);
  }

  function add(scene: Phaser.Scene, x: number, y: number, name: string): Phaser.GameObjects.Sprite | Phaser.GameObjects.Image {
    const ref = Object.hasOwn(config.sprites, name) ? config.sprites[name] : undefined;
    if (!ref) throw new Error(`retro-sprites: no sprite named "${name}" in the manifests`);
    if (ref.image) return scene.add.image(x, y, ref.image);
    const sprite = scene.add.sprite(x, y, ref.atlas!, ref.frame);
    const first = ref.animations?.default ?? Object.values(ref.animations ?? {})[0];
    const anim = first?.default ?? first?.down ?? Object.values(first ?? {})[0];
    if (anim && scene.anims.exists(anim)) sprite.play(anim);
    return sprite;
  }

  async function applyUpdate(update: RetroSpritesUpdate): Promise<void> {
    if (update.clearError && typeof document !== 'undefined') {
      document.querySelectorAll('vite-error-overlay').forEach((el) => el.remove());
    }
    if (!game) return;
    const g = game;
    // Fetch everything first, so the swap itself happens between two frames.
    const atlases = await Promise.all(update.atlases.map(async (a) => ({ ...a, sources: await Promise.all(a.images.map(loadImage)) })));
    const images = await Promise.all(update.images.map(async (i) => ({ ...i, source: await loadImage(i.url) })));
    const changed = new Set([...atlases.map((a) => a.key), ...images.map((i) => i.key)]);

    const bound: { obj: AnyObject; key: string; frame: string }[] = [];
    // Paused ones too: a paused sprite still holds its animation, which resume() would play on.
    const playing: { obj: AnyObject; anim: string; progress: number; paused: boolean }[] = [];
    const layers: Phaser.Tilemaps.Tileset[] = [];
    for (const scene of g.scene.getScenes(false)) {
      walk(scene.sys.displayList.list as AnyObject[], (obj) => {
        const shown = shownTexture(obj, changed);
        if (shown) bound.push({ obj, ...shown });
        // A tilemap layer draws from its tilesets' textures: point them at the new one.
        for (const ts of (obj as { tileset?: Phaser.Tilemaps.Tileset[] }).tileset ?? []) {
          if (ts.image && changed.has(ts.image.key)) layers.push(ts);
        }
        const current = obj.anims?.currentAnim;
        if (current && (obj.anims!.isPlaying || obj.anims!.isPaused)) {
          playing.push({ obj, anim: current.key, progress: obj.anims!.getProgress(), paused: obj.anims!.isPaused });
        }
      });
    }

    // Remove the old animations while their frames still exist: Phaser puts a sprite that plays a
    // removed animation back on its first frame, which must not be a frame of a destroyed texture.
    for (const file of update.anims) {
      for (const anim of file.anims as { key: string }[]) {
        if (g.anims.exists(anim.key)) g.anims.remove(anim.key);
      }
    }
    for (const a of atlases) {
      if (g.textures.exists(a.key)) g.textures.remove(a.key);
      addAtlasTexture(g.textures, a.key, a.sources, a.json);
    }
    for (const i of images) {
      if (g.textures.exists(i.key)) g.textures.remove(i.key);
      g.textures.addImage(i.key, i.source);
    }
    for (const ts of new Set(layers)) ts.setImage(g.textures.get(ts.image!.key));
    for (const file of update.anims) g.anims.fromJSON(file as Phaser.Types.Animations.JSONAnimations);
    for (const { obj, key, frame } of bound) obj.setTexture?.(key, g.textures.get(key).has(frame) ? frame : undefined);
    for (const { obj, anim, progress, paused } of playing) {
      if (!g.anims.exists(anim)) continue;
      obj.anims!.play(anim);
      obj.anims!.setProgress(progress);
      if (paused) obj.anims!.pause();
    }
    stats.updates++;
    stats.lastUpdate = { atlases: atlases.map((a) => a.key), images: images.map((i) => i.key) };
    if (typeof window !== 'undefined') window.dispatchEvent(new CustomEvent('retro-sprites:updated', { detail: stats.lastUpdate }));
  }

  return { preload, add, applyUpdate };
}
