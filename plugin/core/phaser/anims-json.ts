import type { BuiltAtlas } from './atlas.js';

/** What `this.anims.fromJSON()` and the loader's `animation` file type read (AnimationManager.fromJSON). */
export function animsJson(atlas: BuiltAtlas): { anims: unknown[] } {
  return {
    anims: atlas.animations.map((a) => ({
      key: a.key,
      type: 'frame',
      frames: a.frames.map((f) =>
        f.durationMs === undefined ? { key: atlas.atlas, frame: f.frame } : { key: atlas.atlas, frame: f.frame, duration: f.durationMs },
      ),
      frameRate: a.frameRate,
      repeat: a.repeat,
    })),
  };
}
