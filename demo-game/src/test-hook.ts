import * as Phaser from 'phaser';
import { animations, atlases, frames, images } from 'virtual:retro-sprites';
import { STATE } from './layout.js';
import type { WorldScene } from './scenes/world-scene.js';

/** What the browser test reads from the running game (see test/e2e). */
export interface DemoHook {
  ready: boolean;
  /** The Phaser the game runs on (the tests run it on 3.90 and 4.x). */
  phaserVersion: string;
  game: Phaser.Game;
  hero: { x: number; y: number; facing: string; animation: string | null; playing: boolean; frame: string };
  score: number;
  /** Texture keys the generated pack should have loaded (atlases and tiling images). */
  packTextures: string[];
  /** Frame names per atlas and animation keys the pack should have defined. */
  packFrames: Record<string, string[]>;
  packAnimations: string[];
  /** Texture keys the game actually holds. */
  loadedTextures: string[];
}

declare global {
  interface Window {
    __demo?: DemoHook;
  }
}

export function installTestHook(world: WorldScene): void {
  const game = world.sys.game;
  const hook: DemoHook = {
    ready: true,
    phaserVersion: Phaser.VERSION,
    game,
    get hero() {
      const s = world.hero.sprite;
      return {
        x: s.x,
        y: s.y,
        facing: world.hero.facing,
        animation: s.anims.currentAnim?.key ?? null,
        playing: s.anims.isPlaying,
        frame: String(s.frame.name),
      };
    },
    get score() {
      return world.registry.get(STATE.score) as number;
    },
    packTextures: [...Object.values(atlases), ...Object.values(images)],
    packFrames: Object.fromEntries(Object.entries(frames).map(([atlas, f]) => [atlas, Object.values(f)])),
    packAnimations: Object.values(animations),
    get loadedTextures() {
      return game.textures.getTextureKeys();
    },
  };
  window.__demo = hook;
}
